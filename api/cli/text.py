"""What the CLI prints for people: one language at a time, tables that fit the terminal.

The language is ``--lang zh|en`` (anywhere on the command line), else
``CHAINMATCH_LANG``, else Chinese. Tables fit the console width (80 columns
in a plain terminal): columns wrap their text — a name is never cut, never
ends in "…" — and when even wrapped columns cannot fit, the least needed ones
are left out and a note says which; ``--wide`` shows every column. ``--json``
output never passes through here.

Examples
--------
>>> import io
>>> from rich.console import Console
>>> c = Console(width=24, record=True, file=io.StringIO())
>>> cols = [Col("名称", "name", keep=9), Col("说明", "note", keep=1), Col("得分", "score", keep=5)]
>>> print_table("示例", cols, [["上海光影知音科技股份有限公司", "x" * 30, "0.9"]], console=c, lang="zh")
>>> text = c.export_text()
>>> "上海光影知音" in text and "…" not in text and "已省略：说明" in text
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from graph.display import check_lang

__all__ = ["Col", "lang", "set_options", "hoist", "wide", "t", "print_table", "print_pairs", "print_write", "print_grid",
           "names_for"]

_options: dict = {"lang": None, "wide": False}


def set_options(*, lang: str | None = None, wide: bool = False) -> None:
    """Set the language (None: ``CHAINMATCH_LANG``) and ``--wide`` of this run (the ``chainmatch`` callback)."""
    _options["lang"] = check_lang(lang) if lang else None
    _options["wide"] = wide


def hoist(argv: list[str], owns) -> list[str]:
    """``argv`` with ``--lang X`` and ``--wide`` moved to the front, where the root command reads them.

    ``owns(rest)`` says which of them the subcommand of ``rest`` declares
    itself (``report --lang``): those stay in place as well.

    >>> hoist(["gaps", "--region", "深圳", "--lang", "en", "--wide"], lambda rest: set())
    ['--lang', 'en', '--wide', 'gaps', '--region', '深圳']
    >>> hoist(["report", "--lang=en"], lambda rest: {"--lang"})
    ['--lang=en', 'report', '--lang=en']
    >>> hoist(["search", "--", "--wide"], lambda rest: set())
    ['search', '--', '--wide']
    """
    front, rest, moved = [], [], []
    i = 0
    while i < len(argv):
        tok = argv[i]
        if tok == "--":
            rest += argv[i:]
            break
        if tok == "--wide" or tok.startswith("--lang="):
            front.append(tok)
            moved.append((len(rest), [tok]))
        elif tok == "--lang" and i + 1 < len(argv):
            front += [tok, argv[i + 1]]
            moved.append((len(rest), [tok, argv[i + 1]]))
            i += 1
        else:
            rest.append(tok)
        i += 1
    own = owns(rest)
    for at, toks in reversed(moved):
        if toks[0].split("=")[0] in own:
            rest[at:at] = toks
    return front + rest


def lang() -> str:
    """``zh`` or ``en``: ``--lang``, else ``CHAINMATCH_LANG``, else ``zh``."""
    return _options["lang"] or check_lang(os.environ.get("CHAINMATCH_LANG", "zh").strip().lower() or "zh")


def wide() -> bool:
    return bool(_options["wide"])


def t(zh: str, en: str, language: str | None = None) -> str:
    """The text in the run's language.

    >>> t("缺口", "gaps", "en")
    'gaps'
    """
    return en if (language or lang()) == "en" else zh


def names_for(store):
    """A :class:`graph.display.Names` of ``store`` in the run's language."""
    from graph.display import Names

    return Names(store, lang())


@dataclass(frozen=True)
class Col:
    """A table column: its header in both languages, how much it matters, how narrow it may get.

    ``keep``: columns with the lowest value are left out first when the table
    cannot fit (9: never). ``min``: the narrowest width at which the column
    is still readable (default: the header, at least 8 cells).
    """

    zh: str
    en: str
    keep: int = 5
    min: int | None = None
    justify: str = "left"

    def header(self, language: str) -> str:
        return self.en if language == "en" else self.zh


def _natural(values) -> int:
    return max((cell_len(line) for v in values for line in str(v).split("\n")), default=0)


def _longest_word(values) -> int:
    """The widest run of Latin text without a space (a word wraps whole, never split), at most 20 cells.

    Chinese text wraps between any two characters, so it sets no floor.

    >>> _longest_word(["Optoelectronics GmbH", "深圳市流萤北辰文化科技有限公司", "ab"])
    15
    """
    return min(20, max((len(w) for v in values for w in str(v).split() if cell_len(w) == len(w)), default=0))


def _narrowest(col: Col, header: str, natural: int, word: int = 0) -> int:
    floor = col.min if col.min is not None else max(cell_len(header), 8)
    return min(natural, max(floor, word))


def print_table(title: str, cols: list[Col], rows: list[list], *, console: Console | None = None,
                lang: str | None = None, note: str = "") -> None:
    """Print ``rows`` under ``cols`` fitted to the console (see the module docstring); ``note`` below."""
    from api.cli.common import console as default_console

    console = console or default_console
    language = lang or globals()["lang"]()
    headers = [c.header(language) for c in cols]
    cells = [["" if v is None else str(v) for v in r] for r in rows]
    natural = [max(cell_len(h), _natural(r[k] for r in cells)) for k, h in enumerate(headers)]
    words = [_longest_word(r[k] for r in cells) for k in range(len(cols))]
    keep = list(range(len(cols)))
    width = console.width

    def need(ix) -> int:  # one border per column and the last, one space of padding each side
        return sum(_narrowest(cols[k], headers[k], natural[k], words[k]) for k in ix) + 3 * len(ix) + 1

    if not wide():
        while len(keep) > 1 and need(keep) > width:
            drop = min((k for k in keep if cols[k].keep < 9), key=lambda k: (cols[k].keep, -k), default=None)
            if drop is None:
                break
            keep.remove(drop)
    hidden = [headers[k] for k in range(len(cols)) if k not in keep]
    widths = None if wide() else _fit([natural[k] for k in keep],
                                      [_narrowest(cols[k], headers[k], natural[k], words[k]) for k in keep],
                                      width - 3 * len(keep) - 1, [cols[k].keep for k in keep])
    table = Table(title=title, title_justify="left")
    for i, k in enumerate(keep):
        table.add_column(headers[k], overflow="fold", justify=cols[k].justify,
                         width=None if widths is None else widths[i])
    for r in cells:
        table.add_row(*(r[k] for k in keep))
    full = sum(natural[k] for k in keep) + 3 * len(keep) + 1
    console.print(table, width=max(width, full) if wide() else None)
    if hidden:
        console.print(t(f"（已省略：{'、'.join(hidden)}；加 --wide 显示全部列）",
                        f"(left out: {', '.join(hidden)}; --wide shows every column)", language), soft_wrap=False)
    if note:
        console.print(note)


def _fit(natural: list[int], narrowest: list[int], room: int, keeps: list[int] | None = None) -> list[int] | None:
    """Column widths within ``room`` cells: each at least its narrowest, the room left shared out fairly
    (a cell at a time to the narrowest column still short of its natural width; on a tie the most needed
    column, e.g. a name), so short columns show whole and long ones share the rest; ``None`` when every
    column fits as it is (or nothing can help).

    Rich would shrink columns by its own ratios and split a word it could have kept whole; widths set
    here keep every word of at most its column's width intact.

    >>> _fit([30, 5, 20], [10, 5, 8], 40), _fit([3, 4], [3, 4], 80), _fit([12, 40], [8, 8], 30, [9, 4])
    ([18, 5, 17], None, [12, 18])
    """
    if sum(natural) <= room or sum(narrowest) > room:
        return None
    widths = list(narrowest)
    keeps = keeps or [0] * len(widths)
    while sum(widths) < room:
        short = [i for i in range(len(widths)) if widths[i] < natural[i]]
        if not short:
            break
        i = min(short, key=lambda i: (widths[i], -keeps[i], i))
        widths[i] += 1
    return widths


def print_grid(title: str, headers: list[str], rows: list[list], *, console: Console | None = None) -> None:
    """A table of figures whose headers are the figures' own names (``p95_ms``, ``recall@10``): every column
    kept, folded to fit the terminal, never cut (benchmarks)."""
    print_table(title, [Col(h, h, keep=9, min=min(cell_len(h), 8)) for h in headers], rows, console=console)


def print_pairs(title: str, rows: list[tuple[str, object]], *, console: Console | None = None,
                lang: str | None = None) -> None:
    """A two-column table of labelled figures (what a status or a benchmark reports), in one language.

    A :class:`~pathlib.Path` value is printed under the table on a line of its own, never wrapped or
    folded (a path is copied whole, however deep the user's home is).

    >>> import io
    >>> from pathlib import Path
    >>> from rich.console import Console
    >>> c = Console(width=40, record=True, file=io.StringIO())
    >>> deep = Path("/home/" + "a" * 30 + "/.chainmatch/index")
    >>> print_pairs("Index status", [("directory", deep), ("current", "yes")], console=c, lang="en")
    >>> text = c.export_text()
    >>> f"directory: {deep}" in text.splitlines(), "current" in text
    (True, True)
    """
    from pathlib import Path

    from api.cli.common import console as default_console

    language = lang or globals()["lang"]()
    console = console or default_console
    print_table(title, [Col("项目", "item", keep=9, min=10), Col("值", "value", keep=9, min=12)],
                [[k, v] for k, v in rows if not isinstance(v, Path)], console=console, lang=language)
    for k, v in rows:
        if isinstance(v, Path):
            console.print(f"{k}{t('：', ': ', language)}{v}", markup=False, highlight=False, soft_wrap=True)


def print_write(result, title: str = "", *, console: Console | None = None, lang: str | None = None) -> None:
    """What a write did, per entity: inserted, updated, unchanged (a table, never a dict).

    Examples
    --------
    >>> import io
    >>> from rich.console import Console
    >>> from graph.store.protocol import WriteResult
    >>> c = Console(width=80, record=True, file=io.StringIO())
    >>> print_write(WriteResult(inserted={"organisations": 2}, unchanged={"links": 5}, version=3), console=c, lang="en")
    >>> text = c.export_text()
    >>> "organisations" in text and "inserted" in text and "{" not in text and "store version 3" in text
    True
    """
    from graph.display import word

    language = lang or globals()["lang"]()
    entities = list(dict.fromkeys([*result.inserted, *result.updated, *result.unchanged]))
    merged = len(result.merged)
    tail = t(f"存储版本 {result.version}", f"store version {result.version}", language)
    if merged:
        tail += t(f" · {merged} 家机构按信用代码或名称合并到已有记录",
                  f" · {merged} organisation{'s' if merged != 1 else ''} merged onto stored ones (same USCC or name)",
                  language)
    if not entities:
        (console or _console()).print(t("未改动：没有可写入的记录", "nothing changed: no records to write", language)
                                      + " · " + tail)
        return
    rows = [[word(e, language), result.inserted.get(e, 0), result.updated.get(e, 0), result.unchanged.get(e, 0)]
            for e in entities]
    print_table(title or t("写入结果", "Written", language),
                [Col("实体", "entity", keep=9, min=8), Col("新增", "inserted", keep=9, justify="right"),
                 Col("更新", "updated", keep=9, justify="right"), Col("未变", "unchanged", keep=9, justify="right")],
                rows, console=console, lang=language, note=tail)


def _console() -> Console:
    from api.cli.common import console

    return console
