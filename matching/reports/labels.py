"""Chinese and English labels of the report: sheet titles, headers, statuses, score parts.

Examples
--------
>>> t("gaps", "zh"), t("gaps", "en"), t("local_dependence", "zh")
('缺链补链', 'Gaps', '本地依赖')
>>> t("no_such_key", "zh")
'no_such_key'
"""

from __future__ import annotations

from graph.labels import PART_LABELS, STAGE_LABELS, STATUS_LABELS

__all__ = ["LABELS", "t", "LANGS"]

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # report and sections (sheet titles: ≤ 31 characters, no []:*?/\)
    "title": ("缺链补链与招商目标报告", "Gap and target report"),
    "overview": ("概览", "Overview"),
    "chain_map": ("产业链图谱", "Chain map"),
    "gaps": ("缺链补链", "Gaps"),
    "targets": ("招商目标", "Targets"),
    "introducers": ("以商招商", "Introducers"),
    "campaign": ("联合招商", "Joint campaign"),
    "dependence": ("外部依赖", "External dependence"),
    "evidence": ("证据来源", "Evidence"),
    "provenance": ("数据来源", "Data provenance"),
    "ids": ("依据ID", "ids"),
    "chart_chain": ("产业链图谱：各环节本地企业数（上游→下游）", "Chain map: local firms per segment (upstream → downstream)"),
    "chart_severity": ("缺口严重度构成", "Gap severity by part"),
    "fictional": ("示例数据均为虚构", "The sample data is fictional"),
    # columns
    "metric": ("指标", "Metric"), "value": ("数值", "Value"), "note": ("说明", "Note"),
    "rank": ("序号", "#"), "segment": ("环节", "Segment"), "segment_id": ("环节ID", "Segment id"),
    "stage": ("位置", "Stage"), "status": ("状态", "Status"), "criteria": ("判定规则", "Rule"),
    "local_firms": ("本地企业数", "Local firms"), "employees": ("从业人数", "Employees"),
    "tier_firms": ("梯队企业数", "Tiered firms"), "platforms": ("平台数", "Platforms"),
    "members_elsewhere": ("外地同环节企业", "Members elsewhere"), "local_supply_share": ("本地供给占比", "Local supply"),
    "kind": ("类别", "Class"), "severity": ("严重度", "Severity"), "parts_note": ("构成说明", "Parts"),
    "flags": ("偏低原因", "Why ranked low"),
    "evidence_firms": ("证据企业数", "Evidence firms"), "evidence_links": ("证据链接数", "Evidence links"),
    "gap_segment": ("缺口环节", "Gap segment"), "firm": ("企业", "Firm"), "firm_id": ("企业ID", "Firm id"),
    "region": ("地区", "Region"), "score": ("得分", "Score"), "form": ("引进形式", "Attraction form"),
    "form_rule": ("形式依据", "Form rule"), "introducer": ("首选引荐方", "Best introducer"),
    "reason": ("推荐理由", "Reason"), "target": ("目标企业", "Target"), "relation": ("关系", "Relation"),
    "path": ("关系路径", "Path"), "path_ids": ("关系路径ID", "Path ids"),
    "ties_n": ("{n} 条关系", "{n} ties"), "per_gap": ("每个缺口至多 {n} 家", "at most {n} per gap"), "via": ("经由", "Via"), "role": ("角色", "Role"), "unit": ("所属单位", "Unit"),
    "demand": ("采购量", "Demand"), "why": ("入选依据", "Why"),
    "external_share": ("外部依赖度", "External share"), "received": ("本地采购量", "Received"),
    "external_suppliers": ("外部供应商数", "External suppliers"),
    "top_suppliers": ("主要外部供应商", "Top external suppliers"), "spofs": ("单点风险", "Single points of failure"),
    "top_supplier_share": ("最大供应商占比", "Top supplier share"),
    "id": ("ID", "id"), "type": ("类型", "Type"), "name": ("名称", "Name"), "detail": ("详情", "Detail"),
    "as_of": ("数据日期", "As of"), "source": ("来源", "Source"), "estimated": ("估算字段", "Estimated fields"),
    # overview metrics
    "segments_n": ("环节数", "Segments"), "local_firms_n": ("本地成员企业", "Local member firms"),
    "gaps_n": ("缺口数", "Gaps"), "targets_n": ("推荐目标企业", "Recommended targets"),
    "external_share_all": ("总体外部依赖度", "Overall external share"),
    "records": ("引用记录数", "Records cited"), "organisations": ("机构记录", "Organisation records"),
    "links": ("关系记录", "Link records"), "as_of_min": ("最早数据日期", "Earliest as-of"),
    "as_of_max": ("最新数据日期", "Latest as-of"), "as_of_mode": ("最常见数据日期", "Most common as-of"),
    "as_of_mode_records": ("该日期记录数", "Records on that date"), "undated_records": ("无日期记录", "Undated records"),
    "estimated_fields": ("估算字段数（非实报）", "Estimated (not reported) fields"),
    "estimated_records": ("含估算字段的记录", "Records with estimated fields"),
    "reported_records": ("全部实报的记录", "Fully reported records"),
    "estimated_field": ("估算字段：", "Estimated field: "), "source_of": ("来源：", "Source: "),
    "lead_unit": ("牵头单位", "Lead unit"), "lead_agency": ("招商机构", "Agency"),
    "co_pitch": ("联合推介企业", "Co-pitch firm"), "platform": ("支撑平台", "Supporting platform"),
    "group": ("目标组合", "Target group"),
    # statuses, stages and score parts: graph.labels (one table for report, CLI and lists)
    **STATUS_LABELS, **STAGE_LABELS, **PART_LABELS,
    "direct": ("直接", "direct"), "two_hop": ("二度", "two hops"),
}


def t(key: str, lang: str = "zh") -> str:
    """The label of ``key`` in ``lang`` (``zh`` or ``en``); the key itself when there is none."""
    pair = LABELS.get(key)
    return key if pair is None else pair[1 if lang == "en" else 0]
