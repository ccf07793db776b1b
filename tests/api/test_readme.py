"""The README's commands, run as written, and what they print read as a person reads it (issue 19).

One run of every ``chainmatch`` line of the README's ``sh`` blocks, in order, in a
temporary directory (its own data directory, a copy of ``fixtures/examples`` and
the sample world beside it), the way a new user follows the README after
``make demo``'s setup:

* every line exits 0 (lines that cannot run here are skipped, each with its reason);
* at 80 columns, in Chinese (the default, as written) and again with ``--lang en``,
  the text names things: no ``cn/…``, ``seg:…`` or ``org:…`` id, no name cut
  short with "…", and no words of the other language — in English output only
  names the data holds in Chinese alone (marked "(zh)"), in Chinese output only
  Latin words the data itself or the command line holds (names, file paths,
  model ids, metric names).

The cheap hashing embedder stands in for the sentence-transformers model
(``CHAINMATCH_EMBEDDING_MODEL=hashing:64``): the commands are the same, the
model is what ``make demo`` installs and would take minutes of CPU here.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.textcheck import data_names, scrub, text_problems, wide_lines

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SHARED = ROOT.parent / "shared" / "data"


def readme_commands(text: str) -> list[list[str]]:
    """Every command line of the README's ``sh`` blocks (continuations joined, comments dropped), split.

    >>> readme_commands("x\\n```sh\\nchainmatch gaps --region 深圳   # gaps\\nmake demo\\n"
    ...                 "chainmatch a \\\\\\n  --b c\\n```\\n")
    [['chainmatch', 'gaps', '--region', '深圳'], ['make', 'demo'], ['chainmatch', 'a', '--b', 'c']]
    """
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                out.append(words)
    return out


def why_skip(words: list[str]) -> str | None:
    """Why a README line is not run here (``None``: it is run)."""
    if words[0] != "chainmatch":
        return "not a chainmatch command: setup, Neo4j scripts or a curl against a running server"
    line = " ".join(words)
    if words[1] == "serve":
        return "serve runs until Ctrl-C (tests/api/test_serve.py starts it)"
    if words[1] == "bench":
        return "benchmarks take minutes at the sizes the README gives (tests/bench run them small)"
    if "../shared/data" in line or "--data-dir" in words:
        return "real-dataset imports and their backtests take minutes (tests/io, tests/eval cover them)"
    if "neo4j" in words:
        return "needs a Neo4j server (tests/neo4j)"
    return None


COMMANDS = [w for w in readme_commands(README.read_text(encoding="utf-8")) if w[0] == "chainmatch"]
RUN = [w for w in COMMANDS if why_skip(w) is None]

def _input_words(words: list[str]) -> str:
    """What the user typed, and the file names of the paths typed (an import names its file)."""
    return " ".join([*words[1:], *(Path(w).name for w in words[1:] if "/" in w)])


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory):
    """``{index: (code, out, err)}`` of every runnable README line in Chinese (as written), then in English."""
    from api.cli.common import console, err_console
    from api.cli.main import main

    home = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "fixtures" / "examples", home / "fixtures" / "examples")
    (home / "fixtures" / "shenzhen_digital_creative").symlink_to(ROOT / "fixtures" / "shenzhen_digital_creative")
    results: dict[str, dict[int, tuple[int, str, str]]] = {"zh": {}, "en": {}}
    saved = (console._file, err_console._file, console._width, err_console._width)  # noqa: SLF001
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(home)
        mp.setenv("CHAINMATCH_EMBEDDING_MODEL", "hashing:64")
        mp.setenv("CHAINMATCH_DATA_DIR", str(home / ".chainmatch"))
        mp.delenv("CHAINMATCH_LANG", raising=False)
        console.width = err_console.width = 80
        try:
            main(["demo"])  # `make demo`: the sample world loaded first
            for language, extra in (("zh", []), ("en", ["--lang", "en"])):
                for i, words in enumerate(RUN):
                    if language == "en" and (words[1:3] in (["lists", "add"], ["keys", "init"]) or (
                            words[1] == "projects" and words[2] in ("create", "move", "note"))):
                        continue  # adding the same entry twice, or a second first key, is refused, as it should be
                    results[language][i] = _run(main, [*words[1:], *extra])
        finally:
            console._file, err_console._file, console._width, err_console._width = saved  # noqa: SLF001
    return results


def _run(main, argv: list[str]) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    from api.cli.common import console, err_console

    files = (console._file, err_console._file)  # noqa: SLF001
    console.file, err_console.file = out, err
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(argv)
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        console._file, err_console._file = files  # noqa: SLF001
    return code, out.getvalue(), err.getvalue()


def test_the_readme_lists_the_commands_a_user_needs():
    joined = {" ".join(w[:3]) for w in COMMANDS}
    for needed in ("chainmatch outcome record", "chainmatch keys init", "chainmatch index build",
                   "chainmatch campaign create", "chainmatch import headers"):
        assert needed in joined, needed
    assert len(RUN) >= 40, len(RUN)


@pytest.mark.parametrize("i", range(len(RUN)), ids=[" ".join(w[1:4]) for w in RUN])
def test_readme_command_runs_as_written(readme_run, i):
    code, out, err = readme_run["zh"][i]
    assert code == 0, f"{' '.join(RUN[i])} exited {code}:\n{out}\n{err}"


@pytest.mark.parametrize("skipped", [w for w in COMMANDS if why_skip(w)], ids=lambda w: " ".join(w[1:3]))
def test_readme_command_skipped_here(skipped):
    pytest.skip(why_skip(skipped))


#: how tests/textcheck.py names a problem of language (as against an id or a cut name)
LANGUAGE_PROBLEMS = ("Chinese in", "English in", "a Chinese-only")


def _text_problems(text: str, words: list[str], language: str, names: dict[str, set[str]]) -> list[str]:
    """What in ``text`` a person should not have to read (tests/textcheck.py), for the README line ``words``."""
    text = scrub(text, _input_words(words))
    if words[1:3] == ["import", "headers"]:
        # the reference of recognised headers lists Chinese and English header words by design
        return [p for p in text_problems(text, language, names) if not p.startswith(LANGUAGE_PROBLEMS)]
    if "en" in words[words.index("--lang") + 1:words.index("--lang") + 2] if "--lang" in words else False:
        language = "en"  # the README line asks for English itself (report --lang en)
    return text_problems(text, language, names)


@pytest.fixture(scope="module")
def names(readme_run, tmp_path_factory):
    """The words the data itself holds: Chinese-only names, Latin words inside Chinese names."""
    del readme_run
    from graph.settings import Settings
    from graph.store import open_store

    home = next(p for p in Path(tmp_path_factory.getbasetemp()).glob("readme*"))
    with open_store(Settings(data_dir=home / ".chainmatch")) as store:
        headers = {h.strip() for f in (ROOT / "fixtures" / "examples").glob("*.csv")
                   for h in f.read_text(encoding="utf-8-sig").splitlines()[0].split(",")}
        # what the README has the user type, and the column headers of the files it imports (their own words)
        return data_names(store, {w for words in COMMANDS for w in words} | headers)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_readme_output_names_things_in_one_language_at_80_columns(readme_run, names, language):
    problems = {}
    for i, words in enumerate(RUN):
        if i not in readme_run[language] or "--json" in words:
            continue  # --json is for machines: ids are its fields
        code, out, err = readme_run[language][i]
        assert code == 0, f"{' '.join(words)} --lang {language} exited {code}:\n{out}\n{err}"
        too_wide = wide_lines(out)
        found = _text_problems(out + "\n" + err, words, language, names)
        if too_wide:
            found.append(f"{len(too_wide)} lines wider than 80 columns: {too_wide[0]!r}")
        if found:
            problems[" ".join(words[1:])] = found
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_checks_catch_what_they_look_for():
    """The text checks fail on each thing they exist to catch (so the test above can fail)."""
    names = {"zh_only": {"光影知音"}, "latin_in_zh": set(), "records": {"光影知音"}}
    assert _text_problems("held by org:p004", ["chainmatch", "x"], "en", names)
    assert _text_problems("区域 cn/guangdong/shenzhen", ["chainmatch", "x"], "zh", names)
    assert _text_problems("苏州 …", ["chainmatch", "x"], "zh", names)
    assert _text_problems("Targets 招商目标", ["chainmatch", "x"], "en", names)
    assert _text_problems("招商目标 targets for the gap", ["chainmatch", "x"], "zh", names)
    assert not _text_problems("Introducers of 光影知音 (zh)", ["chainmatch", "x"], "en", names)
    assert _text_problems("Introducers of 光影知音", ["chainmatch", "x"], "en", names)  # not marked
    assert not _text_problems("缺口 · 动漫游戏 · 深圳市", ["chainmatch", "gaps", "--region", "深圳"], "zh", names)
    assert os.sep == "/"
