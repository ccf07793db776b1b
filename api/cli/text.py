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

__all__ = ["Col", "lang", "set_options", "hoist", "wide", "t", "print_table", "names_for"]

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


def _narrowest(col: Col, header: str, natural: int) -> int:
    floor = col.min if col.min is not None else max(cell_len(header), 8)
    return min(natural, floor)


def print_table(title: str, cols: list[Col], rows: list[list], *, console: Console | None = None,
                lang: str | None = None, note: str = "") -> None:
    """Print ``rows`` under ``cols`` fitted to the console (see the module docstring); ``note`` below."""
    from api.cli.common import console as default_console

    console = console or default_console
    language = lang or globals()["lang"]()
    headers = [c.header(language) for c in cols]
    cells = [["" if v is None else str(v) for v in r] for r in rows]
    natural = [max(cell_len(h), _natural(r[k] for r in cells)) for k, h in enumerate(headers)]
    keep = list(range(len(cols)))
    width = console.width

    def need(ix) -> int:  # one border per column and the last, one space of padding each side
        return sum(_narrowest(cols[k], headers[k], natural[k]) for k in ix) + 3 * len(ix) + 1

    if not wide():
        while len(keep) > 1 and need(keep) > width:
            drop = min((k for k in keep if cols[k].keep < 9), key=lambda k: (cols[k].keep, -k), default=None)
            if drop is None:
                break
            keep.remove(drop)
    hidden = [headers[k] for k in range(len(cols)) if k not in keep]
    table = Table(title=title, title_justify="left")
    for k in keep:
        table.add_column(headers[k], overflow="fold", justify=cols[k].justify)
    for r in cells:
        table.add_row(*(r[k] for k in keep))
    full = sum(natural[k] for k in keep) + 3 * len(keep) + 1
    console.print(table, width=max(width, full) if wide() else None)
    if hidden:
        console.print(t(f"（已省略：{'、'.join(hidden)}；加 --wide 显示全部列）",
                        f"(left out: {', '.join(hidden)}; --wide shows every column)", language), soft_wrap=False)
    if note:
        console.print(note)
