"""The stages of a 招商 project, their labels, and the rules that depend on the stage alone.

::

    线索 lead → 已接洽 contacted → 在谈 negotiating → 签约 signed → 拟开工 starting
      → 到资 funded → 投产 operating          终止 terminated (from any stage)

**Landing** is the move into :data:`LANDING` (投产): the firm then operates in
the region, so its site is written into the graph (:attr:`graph.model.Site.landed`)
and it counts as local capacity in every analysis. The existing outcome
``landed`` (已落地) maps to this stage: an outcome ``landed`` has always written
the site, and that site is what 投产 means here. Leaving 投产 removes the
site again. A project is **signed** from the first move to 签约 or any stage
after it (终止 excluded): that month counts its planned investment as signed.
A project is **overdue** when its due date has passed and it is neither in
投产 nor in 终止.

Examples
--------
>>> resolve_stage("在谈"), resolve_stage("Signed"), label("funded", "zh"), label("funded", "en")
('negotiating', 'signed', '到资', 'funded')
>>> is_signed("starting"), is_signed("terminated"), is_overdue("signed", "2026-01-31", "2026-02-01")
(True, False, True)
>>> is_overdue("operating", "2026-01-31", "2026-02-01"), is_overdue("lead", "2026-02-01", "2026-02-01")
(False, False)
"""

from __future__ import annotations

from graph.errors import InvalidInput

__all__ = ["STAGES", "STAGE_ZH", "STAGE_EN", "LANDING", "CLOSED", "OUTCOME_STAGE", "resolve_stage", "label",
           "rank", "is_signed", "is_overdue"]

#: every stage key in pipeline order, with its Chinese and English label
_TABLE = (("lead", "线索", "lead"), ("contacted", "已接洽", "contacted"), ("negotiating", "在谈", "negotiating"),
          ("signed", "签约", "signed"), ("starting", "拟开工", "construction pending"),
          ("funded", "到资", "funded"), ("operating", "投产", "in operation"),
          ("terminated", "终止", "terminated"))
STAGES = tuple(k for k, _, _ in _TABLE)
STAGE_ZH = {k: zh for k, zh, _ in _TABLE}
STAGE_EN = {k: en for k, _, en in _TABLE}
#: the stage whose entry writes the firm's site into the graph
LANDING = "operating"
#: stages that are never overdue
CLOSED = frozenset({"operating", "terminated"})
#: the stage each outcome status of :mod:`matching.workspace` becomes when outcomes migrate
OUTCOME_STAGE = {"contacted": "contacted", "accepted": "negotiating", "rejected": "terminated", "landed": LANDING}

_WORDS = {w.casefold(): k for k, zh, en in _TABLE for w in (k, zh, en)} | {"投产运营": LANDING, "竣工投产": LANDING,
                                                                          "推介": "lead"}


def resolve_stage(word: str, field: str = "stage") -> str:
    """The stage key of a key, Chinese or English label; :class:`~graph.errors.InvalidInput` naming ``field``."""
    found = _WORDS.get(str(word).strip().casefold())
    if found is None:
        err = InvalidInput(f"unknown stage {word!r}; expected one of {', '.join(STAGES)} "
                           f"({'、'.join(STAGE_ZH.values())})",
                           f"未知的项目阶段 {word!r}；可选：{'、'.join(STAGE_ZH.values())}")
        err.field = field
        raise err
    return found


def label(stage: str, lang: str = "zh") -> str:
    """The stage's label in ``lang`` (``zh`` or ``en``)."""
    return (STAGE_EN if lang == "en" else STAGE_ZH)[stage]


def rank(stage: str) -> int:
    """Position in the pipeline (终止 last)."""
    return STAGES.index(stage)


def is_signed(stage: str) -> bool:
    """At 签约 or beyond (终止 is not)."""
    return stage != "terminated" and rank(stage) >= rank("signed")


def is_overdue(stage: str, due: str | None, today: str) -> bool:
    """Due date (``YYYY-MM-DD``) before ``today`` and the project still open."""
    return bool(due) and stage not in CLOSED and due < today
