// Chinese by default, English on request; the choice is kept in localStorage.

const LANG_KEY = "chainmatch.lang";

const STRINGS = {
  title: ["链上招商工作台", "chainmatch workbench"],
  subtitle: ["产业链招商匹配（示例数据均为虚构）", "Investment-attraction matchmaking (sample data is fictional)"],
  region: ["地区", "Region"],
  chain: ["产业链", "Chain"],
  allChains: ["全部产业链", "All chains"],
  compareWith: ["对比地区", "Compare with"],
  apiKey: ["API 密钥", "API key"],
  keyPlaceholder: ["cmk_… 仅保存在本会话", "cmk_… kept for this session only"],
  save: ["保存", "Save"],
  clear: ["清除", "Clear"],
  lang: ["English", "中文"],
  exportCsv: ["导出 CSV", "Export CSV"],
  tabMap: ["产业链图谱", "Chain map"],
  tabTargets: ["招商目标", "Targets"],
  tabSearch: ["搜索", "Search"],
  tabCompare: ["区域对比", "Compare regions"],
  tabPartners: ["孵化伙伴", "Partner finder"],
  tabBoard: ["项目看板", "Pipeline"],
  tabData: ["数据与报告", "Data & reports"],
  profilePage: ["企业画像", "Profile"],
  agency: ["牵头机构", "Agency"],
  allAgencies: ["全部机构", "All agencies"],
  onlyOverdue: ["仅看逾期", "Overdue only"],
  overdue: ["逾期", "overdue"],
  boardTotal: ["项目总数", "Projects"],
  monthly: ["月度统计", "By month"],
  month: ["月份", "Month"],
  created: ["新建", "Created"],
  signedCount: ["签约", "Signed"],
  signedInvestment: ["签约投资（万元）", "Signed investment (10k CNY)"],
  landedCount: ["投产", "In operation"],
  nextStep: ["下一步", "Next step"],
  due: ["截止", "Due"],
  planned: ["计划投资（万元）", "Planned (10k CNY)"],
  actual: ["实际到资（万元）", "Invested (10k CNY)"],
  moveTo: ["推进到", "Move to"],
  move: ["推进", "Move"],
  moved: ["项目已更新。", "Project updated."],
  creditedTo: ["引荐方", "Introducer"],
  newProject: ["新建项目", "New project"],
  npFirm: ["企业 ID 或名称", "Firm id or name"],
  npOwner: ["牵头机构 ID 或名称", "Agency id or name"],
  npIntroducer: ["引荐方（可选）", "Introducer (optional)"],
  create: ["创建", "Create"],
  created1: ["项目已创建。", "Project created."],
  needKey: ["需要 API 密钥：请在右上角输入并保存（Authorization: Bearer）。", "An API key is needed: enter it top right and save (sent as Authorization: Bearer)."],
  badKey: ["API 密钥无效或已撤销，请重新输入。", "The API key is wrong or revoked: enter it again."],
  keySaved: ["密钥已保存到本会话。", "Key saved for this session."],
  loading: ["加载中…", "Loading…"],
  none: ["无", "none"],
  clickSegment: ["点击图中的环节查看本地企业、外部供应商与缺口严重度。", "Click a segment to see its local firms, external suppliers and gap severity."],
  upstream: ["上游", "Upstream"],
  midstream: ["中游", "Midstream"],
  downstream: ["下游", "Downstream"],
  strong: ["强（已成链）", "strong"],
  thin: ["薄弱（强链）", "thin"],
  missing: ["缺失（补链）", "missing"],
  extension: ["可延伸（延链）", "extension"],
  present: ["有企业", "present"],
  absent: ["无企业", "absent"],
  status: ["状态", "Status"],
  stage: ["环节位置", "Stage"],
  format: ["业态", "Format"],
  localFirms: ["本地企业", "Local firms"],
  externalSuppliers: ["外部供应商", "External suppliers"],
  severity: ["缺口严重度", "Gap severity"],
  part: ["分项", "Part"],
  value: ["得分", "Value"],
  weight: ["权重", "Weight"],
  figure: ["指标", "Figure"],
  note: ["依据", "Note"],
  share: ["占比", "Share"],
  buyers: ["本地买方", "Local buyers"],
  name: ["名称", "Name"],
  tiers: ["梯队", "Tiers"],
  employees: ["员工", "Employees"],
  seeTargets: ["查看招商目标 →", "See targets →"],
  targetsFor: ["招商目标：", "Targets for: "],
  pickGap: ["请先在产业链图谱中点击一个缺失、薄弱或可延伸的环节。", "Click a missing, thin or extension segment on the chain map first."],
  rank: ["排名", "Rank"],
  target: ["目标企业", "Target"],
  score: ["总分", "Score"],
  scoreParts: ["得分构成", "Score parts"],
  form: ["引进形式", "Attraction form"],
  reason: ["推荐理由", "Reason"],
  open: ["打开", "Open"],
  outcome: ["跟进结果", "Outcome"],
  contacted: ["已接洽", "contacted"],
  accepted: ["已采纳", "accepted"],
  rejected: ["不采纳", "rejected"],
  landed: ["已落地", "landed"],
  recorded: ["已记录：", "Recorded: "],
  predictedMembers: ["挂链预测（待确认）", "Predicted members (to review)"],
  predictedNote: ["置信度 ≥ 0.50 的预测按置信度计入本地企业；确认后计为 1 并作为挂链依据，驳回后不再计入也不再预测。",
    "A prediction with confidence ≥ 0.50 counts as a local firm by its confidence; confirmed it counts 1 and becomes 挂链 evidence; rejected it counts nowhere and is never predicted again."],
  confidence: ["置信度", "Confidence"],
  review: ["审核", "Review"],
  review_confirm: ["确认", "Confirm"],
  review_reject: ["驳回", "Reject"],
  introducers: ["引荐方（以商招商）", "Introducers (business-led attraction)"],
  introducerGraph: ["引荐路径", "Introducer paths"],
  direct: ["直接关系", "direct"],
  two_hop: ["二度关系", "two hops"],
  via: ["经由", "via"],
  campaign: ["联合招商方案", "Proposed joint campaign"],
  leadUnit: ["牵头区", "Lead district"],
  leadAgency: ["牵头机构", "Lead agency"],
  coPitch: ["联合推介企业", "Co-pitch firms"],
  platforms: ["支撑平台", "Platforms"],
  groups: ["组合推介", "Pitch together"],
  conflicts: ["冲突（多个机构争抢同一目标）", "Conflicts (agencies claiming one target)"],
  back: ["← 返回目标列表", "← Back to targets"],
  searchPlaceholder: ["中文或英文，如：动作捕捉设备 / game engine", "Chinese or English, e.g. 动作捕捉设备 / game engine"],
  searchBtn: ["搜索", "Search"],
  searchInRegion: ["仅限所选地区", "Only in the chosen region"],
  dense: ["语义", "dense"],
  lexical: ["词法", "lexical"],
  compareNeedTwo: ["请在顶部选择“对比地区”。", "Choose a region to compare with at the top."],
  coverage: ["覆盖率", "Coverage"],
  externalShare: ["外部依赖", "External share"],
  segment: ["环节", "Segment"],
  profile: ["初创企业简介", "Start-up profile"],
  profilePlaceholder: ["如：AI三维资产生成 / VR fire-safety training", "e.g. AI三维资产生成 / VR fire-safety training"],
  startupId: ["企业编号（可选）", "Start-up id (optional)"],
  segmentsOpt: ["所属环节（可选，默认自动挂链）", "Segments (optional; predicted if empty)"],
  findPartners: ["查找伙伴", "Find partners"],
  role: ["角色", "Role"],
  customer: ["客户", "customer"],
  supplier: ["供应商", "supplier"],
  platform: ["平台", "platform"],
  complementor: ["互补方", "complementor"],
  peer: ["同行", "peer"],
  other: ["其他", "other"],
  segments: ["环节", "Segments"],
  nothing: ["暂无结果。", "Nothing found."],
  regStatus: ["登记状态", "Registration"],
  closedNote: ["已注销、吊销或迁出的企业可以查到，但不计为本地企业，也不作为招商目标、引荐人或合作伙伴。",
    "Deregistered, revoked or moved-away firms are found, but never counted as local firms, targets, introducers or partners."],
  errorPrefix: ["出错：", "Error: "],
  exported: ["已导出：", "Exported: "],
  legend: ["图例", "Legend"],
  edgeHint: ["连线：供给方向（上游 → 下游），粗细表示本地供给量", "Edges: supply (upstream → downstream), width = local supply"],
  regionOf: ["所在地", "Region"],
  kind: ["类型", "Kind"],
  relations: ["关系", "Relations"],
  gapKind: ["缺口（按严重度）", "Gaps by severity"],
  rankedLow: ["偏低原因", "Why it ranks low"],
  forbiddenWrite: ["该密钥为只读（viewer），修改需要 editor 权限。", "This key is read-only (viewer): changes need an editor key."],
};

const RELATION_ZH = {
  customer: "客户", supplier: "供应商", investor: "投资方", investee: "被投企业", partner: "合作伙伴", parent: "母公司",
  subsidiary: "子公司", joint_venture: "合资方", acquirer: "收购方", acquired: "被收购方", incubator: "孵化器", incubatee: "在孵企业",
};

const FORMAT_ZH = {
  technology_equipment: "技术和设备", content_production: "内容制作", design_services: "设计服务",
  convergence_services: "融合服务", other: "其他",
};

const PART_ZH = {
  gap_fit: "缺口契合", chain_pull: "链上拉力", leadership: "龙头地位", expansion: "扩张信号", local_site: "已有本地网点",
  stale: "数据陈旧", tie: "关系强度", paths: "二度路径", recency: "时效", weight: "体量", semantic: "文本契合",
  adjacency: "链上相邻", known: "已有关系", local_dependence: "本地依赖", downstream_pull: "下游拉力",
  single_supplier: "单一供应商", relatedness: "关联密度", few_firms: "企业过少", concentration: "集中度",
  adjacent_strength: "相邻强链",
};

let lang = localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";

export function getLang() {
  return lang;
}

export function setLang(value) {
  lang = value === "en" ? "en" : "zh";
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

/** A view module's own strings ({key: [zh, en]}), so new views need not edit this table. */
export function addStrings(more) {
  Object.assign(STRINGS, more);
}

/** The string for ``key`` in the current language (the key itself when unknown). */
export function t(key) {
  const pair = STRINGS[key];
  if (!pair) return key;
  return lang === "zh" ? pair[0] : pair[1];
}

/** A record's name in the current language, falling back to the other. */
export function nameOf(rec) {
  if (!rec) return "";
  return lang === "zh" ? rec.name_zh || rec.name_en || rec.name || rec.id : rec.name_en || rec.name_zh || rec.name || rec.id;
}

export function partName(name) {
  return lang === "zh" && PART_ZH[name] ? PART_ZH[name] : name;
}

/** A score part's note in the current language (note_zh in Chinese when the API gives one), ids named by ``nameOfId``. */
export function noteOf(p, nameOfId = (id) => id) {
  const text = (lang === "zh" && p.note_zh) || p.note || "";
  return text.replace(/\b(?:org|seg):[A-Za-z0-9_.-]+/g, (id) => nameOfId(id));
}

/** A score part in words: the API's label (graph/labels.py: label_zh / label_en) when it has one, else partName. */
export function partLabel(p) {
  const words = lang === "zh" ? p.label_zh : p.label_en;
  if (!words || words === p.name) return partName(p.name);
  return words;
}

/** Why a gap ranks low, in words (the API's flags_zh / flags_en; the flag keys when absent). */
export function gapFlags(g) {
  return (lang === "zh" ? g.flags_zh : g.flags_en) || g.flags || [];
}

export function formatName(f) {
  return lang === "zh" ? FORMAT_ZH[f] || f : (f || "").replace(/_/g, " ");
}

export function relationName(r) {
  return lang === "zh" ? RELATION_ZH[r] || r : r;
}

/** Fill every ``[data-i18n]`` (text) and ``[data-i18n-placeholder]`` element under ``root``. */
export function translate(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => {
    el.textContent = t(el.dataset.i18n);
  });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  });
}
