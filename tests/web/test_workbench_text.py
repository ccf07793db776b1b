"""The workbench reads as a person reads it (issue 19): each view in Chinese and in English mode.

Headless Chromium on the sample world (the server, browser and page of
tests/web/conftest.py): every tab of ``/ui/`` is opened with its content
filled the way a user fills it — the chain map with 游戏引擎 clicked, the targets
of that gap with the first target opened (introducers, joint campaign), a
search, the region comparison, a partner query, the pipeline board — and
``document.body.innerText`` is checked with the README test's checks
(tests/textcheck.py): no ``cn/…``, ``seg:…`` or ``org:…`` id, no cut name, no
words of the other language beyond names the data holds in one language only.
"""

from __future__ import annotations

import json

import pytest

from tests.textcheck import data_names, text_problems
from tests.web.helpers import ANSWERS, ARTIFACTS, open_game_engine, sign_in

pytestmark = pytest.mark.browser

#: the language switch names the other language in that language (English / 中文)
SWITCH = {"zh": {"english"}, "en": set()}

#: what the page says while a request is under way; the check waits for it to go
LOADING = ("加载中", "Loading")


def settled_text(pg) -> str:
    """``document.body.innerText`` once no view says it is loading."""
    pg.wait_for_function(f"!{json.dumps(LOADING)}.some(w => document.body.innerText.includes(w))",
                           timeout=180_000)
    return pg.evaluate("document.body.innerText")


def fill_views(pg) -> dict[str, str]:
    """``{view: visible text}`` of every tab, each filled as a user fills it."""
    out = {}
    pg.click(".tabs button[data-tab=map]")
    open_game_engine(pg)
    out["map"] = settled_text(pg)
    pg.click("#see-targets")
    first = pg.locator("table[data-table=targets] tbody tr").first
    first.wait_for()
    out["targets"] = settled_text(pg)
    first.locator("a.target-link").click()
    pg.wait_for_selector("table[data-table=introducers] tbody tr")
    pg.wait_for_selector("#campaign-out dl")
    out["target detail"] = settled_text(pg)
    pg.click(".tabs button[data-tab=search]")
    pg.fill("#search-q", "游戏引擎")
    pg.click("#search-form button[type=submit]")
    pg.wait_for_selector("table[data-table=search] tbody tr", timeout=180_000)
    out["search"] = settled_text(pg)
    pg.click(".tabs button[data-tab=compare]")
    pg.wait_for_selector("table[data-table=compare] tbody tr")
    out["compare"] = settled_text(pg)
    startup = json.loads(ANSWERS.read_text(encoding="utf-8"))["startups"][0]
    pg.click(".tabs button[data-tab=partners]")
    pg.fill("#p-profile", startup["niche_zh"])
    pg.fill("#p-startup", startup["startup"])
    pg.click("#partners-form button[type=submit]")
    pg.wait_for_selector("table[data-table=partners] tbody tr")
    out["partners"] = settled_text(pg)
    for tab in pg.eval_on_selector_all(".tabs button[data-tab]", "bs => bs.map(b => b.dataset.tab)"):
        if tab not in out and tab not in ("map", "targets"):  # a view another issue adds is read as it opens
            pg.click(f".tabs button[data-tab={tab}]")
            pg.wait_for_timeout(1500)
            out[tab] = settled_text(pg)
    return out


@pytest.fixture(scope="module")
def names(world):
    from graph.store.sqlite import SqliteStore

    store = SqliteStore.memory()
    store.write(world[0])
    startup = json.loads(ANSWERS.read_text(encoding="utf-8"))["startups"][0]
    yield data_names(store, {"游戏引擎", startup["niche_zh"], startup["startup"]})  # what the test types
    store.close()


def test_every_view_names_things_in_one_language(page, server, names):
    url, keys = server
    sign_in(page, url, keys["editor"])
    problems = {}
    for lang in ("zh", "en"):
        if lang == "en":
            page.click("#lang")
            page.wait_for_function("document.documentElement.lang === 'en'")
        for view, text in fill_views(page).items():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / f"text-{lang}-{view.replace(' ', '_')}.txt").write_text(text, encoding="utf-8")
            found = text_problems(text, lang, {**names, "zh_only": names["zh_only"] | {"中文"}},
                                  latin_ok=SWITCH[lang])
            if found:
                problems[f"{lang} {view}"] = found
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
    assert page.console.errors == []
