"""The ``chainmatch`` command line: every capability of the engine, ``--json`` for machines.

Commands are thin: parse options, call ``graph``/``matching``, print a table
(or JSON). Errors from the one error tree are printed as a clear message with
exit code 2 (bad input / not found) or 3 (backend unavailable), never a stack
trace.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from api.bench.cli import bench_app
from api.cli import analysis as cli_analysis
from api.cli import keys as cli_keys
from api.cli import lists as cli_lists
from api.cli import matching as cli_matching
from api.cli import profile as cli_profile
from api.cli import recommend as cli_recommend
from api.cli import reports as cli_report
from api.cli import serve as cli_serve
from api.cli import templates as cli_templates
from api.cli.common import (
    DataDir,
    JsonOut,
    console,
    err_console,
    open_store_for,
    print_json,
    write_summary,
)
from api.cli.imports import import_app
from api.cli.projects import projects_app
from api.cli.store import store_app
from api.cli.text import Col, hoist, lang, print_table, print_write, set_options, t
from api.cli.usage import show_usage_error
from graph.errors import BackendUnavailable, ChainmatchError
from graph.fsperms import owner_only

__all__ = ["app", "main"]

app = typer.Typer(
    name="chainmatch",
    help="Investment-attraction (招商引资) matchmaking on industry-chain graphs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(import_app, name="import")
app.add_typer(bench_app, name="bench")
app.add_typer(store_app, name="store")
app.add_typer(projects_app, name="projects")
eval_app = typer.Typer(help="Evaluation: backtests and quality reports.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@app.callback()
def root(
    lang: Annotated[str | None, typer.Option("--lang", help="Language of tables and messages: zh (default) or "
                                             "en; also CHAINMATCH_LANG. Works anywhere on the line.")] = None,
    wide: Annotated[bool, typer.Option("--wide", help="Show every table column, even past the terminal width.")] = False,
) -> None:
    """Investment-attraction (招商引资) matchmaking on industry-chain graphs."""
    set_options(lang=lang, wide=wide)


def _owned_options(rest: list[str]) -> set[str]:
    """The options the subcommand named in ``rest`` declares itself (``report --lang``)."""
    cmd = typer.main.get_command(app)
    for tok in rest:
        if tok in getattr(cmd, "commands", {}):
            cmd = cmd.commands[tok]
        elif not tok.startswith("-"):
            break
    return set() if hasattr(cmd, "commands") else {o for p in cmd.params for o in p.opts}


cli_serve.register(app)
cli_keys.register(app)
cli_analysis.register(app)
cli_matching.register(app)
cli_recommend.register(app, eval_app)
cli_profile.register(app)
cli_report.register(app)
cli_lists.register(app)
cli_templates.register(app)


@app.command()
def stats(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """What the store holds: counts per entity, organisations per kind and city."""
    from graph.stats import store_stats

    with open_store_for(data_dir) as store:
        s = store_stats(store)
    if as_json:
        print_json(s)
        return
    print_stats(s)


def print_stats(s: dict) -> None:
    """The store's figures as tables in the run's language: entities, kinds, top cities by name, chains by name."""
    from graph.display import pick, region_name, word

    lg = lang()
    num = {"justify": "right"}
    print_table(t("记录", "Records", lg), [Col("实体", "entity", keep=9), Col("数量", "count", keep=9, **num)],
                [[word(k, lg), v] for k, v in s["counts"].items()])
    print_table(t("机构类型", "Organisations by kind", lg),
                [Col("类型", "kind", keep=9), Col("数量", "count", keep=9, **num)],
                [[word(k, lg), v] for k, v in s["by_kind"].items()])
    print_table(t("主要城市", "Top cities", lg), [Col("城市", "city", keep=9), Col("机构数", "organisations", keep=9, **num)],
                [[region_name(k, lg) or t("（无地区）", "(no region)", lg), v] for k, v in s["top_cities"]])
    if s.get("region_sources"):
        print_table(t("地区来源", "Where regions came from", lg),
                    [Col("来源", "source", keep=9), Col("机构数", "organisations", keep=9, **num)],
                    [[word(k, lg), v] for k, v in s["region_sources"].items()])
    print_table(t("产业链", "Chains", lg),
                [Col("产业链", "chain", keep=9, min=10), Col("环节", "segments", keep=9, **num),
                 Col("机构", "organisations", keep=9, **num)],
                [[pick(c["name_zh"], c["name_en"], lg), c["segments"], c["organisations"]] for c in s["chains"]])
    console.print(t(f"存储版本 {s['version']} · 数据日期 {s['as_of_min']} 至 {s['as_of_max']} · "
                    f"含估算字段的记录 {s['estimated_records']} 条",
                    f"store version {s['version']} · as of {s['as_of_min']} to {s['as_of_max']} · "
                    f"records with estimated fields: {s['estimated_records']}", lg))


#: what the sample world's answer file plants (fixtures/shenzhen_digital_creative/answers.json)
_PLANTED = {"missing": ("补链缺口", "missing segments"), "thin": ("强链缺口", "thin segments"),
            "extension": ("延链缺口", "extension segments"), "strong": ("强环节", "strong segments"),
            "startups": ("初创企业", "start-ups"), "joint_campaigns": ("联合招商", "joint campaigns")}


@app.command()
def demo(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Load the fictional Shenzhen digital creative sample world and show what it holds."""
    from fixtures.world import load_world
    from graph.stats import store_stats

    batch, answers = load_world()
    with open_store_for(data_dir) as store:
        result = store.write(batch)
        s = store_stats(store)
        path = store.path
    if as_json:
        print_json({"write": write_summary(result), "stats": s, "answers": answers})
        return
    lg = lang()
    console.print(t("[bold]示例世界[/bold]：深圳数字创意产业集群。示例数据为虚构：所有企业、名称和数字均为编造。",
                    "[bold]chainmatch demo[/bold]: Shenzhen's digital creative cluster. The sample world is "
                    "fictional: every firm, name and figure is invented.", lg))
    console.print(t(f"存储：{path}", f"store: {path}", lg), markup=False)
    print_write(result, t("写入结果", "Loaded", lg))
    print_stats(s)
    planted = [(_PLANTED.get(k, (k, k)), len(v)) for k, v in answers.items() if isinstance(v, list)]
    if planted:
        console.print(t("测试核对的预设答案：", "answers the tests check: ", lg)
                      + ("，" if lg == "zh" else ", ").join(f"{pair[lg == 'en']} {n}" for pair, n in planted))


def _argv_lang(argv: list[str]) -> str | None:
    """The ``--lang`` of a command line :func:`api.cli.text.hoist` has put in front (a usage error can stop
    the run before the root callback reads it).

    >>> _argv_lang(["--lang", "en", "frob"]), _argv_lang(["--lang=zh"]), _argv_lang(["gaps"]), _argv_lang(["--lang", "fr"])
    ('en', 'zh', None, None)
    """
    for k, tok in enumerate(argv):
        value = tok.split("=", 1)[1] if tok.startswith("--lang=") else (
            argv[k + 1] if tok == "--lang" and k + 1 < len(argv) else None)
        if value is not None:
            return value if value in ("zh", "en") else None
    return None


def _show_error(e: ChainmatchError, language: str) -> None:
    """One error in one language: its message, then the rows and fields it names (their reasons as written)."""
    # the message names fields as [field]: escape it, or rich reads that as markup and drops it
    if language == "en":
        err_console.print(f"[red]error[/red] ({e.code}): {escape(str(e))}")
        return
    problems = getattr(e, "problems", None) or []
    shown = "".join(f"\n  {escape(p.text('zh') if hasattr(p, 'text') else str(p))}" for p in problems[:50])
    more = f"\n  另有 {len(problems) - 50} 处" if len(problems) > 50 else ""
    err_console.print(f"[red]错误[/red]（{e.code}）：{escape(e.message_zh)}{shown}{more}")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, map the error tree to exit codes."""
    owner_only()  # every file the CLI (and ``serve``) writes is 0600, every directory 0700
    argv = hoist(list(sys.argv[1:] if argv is None else argv), _owned_options)
    try:
        app(args=argv, prog_name="chainmatch", standalone_mode=False)
    except ChainmatchError as e:
        _show_error(e, lang())
        raise SystemExit(3 if isinstance(e, BackendUnavailable) else 2) from None
    except typer.Abort:
        raise SystemExit(1) from None
    except typer.Exit as e:
        raise SystemExit(e.exit_code) from None
    except typer.TyperException as e:  # usage errors and bad parameters (Click's, as Typer ships them)
        show_usage_error(e, _argv_lang(argv) or lang())
        raise SystemExit(e.exit_code) from None
    finally:
        set_options()  # the next in-process run (tests) starts from the environment again
