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
    table,
    write_summary,
)
from api.cli.imports import import_app
from api.cli.projects import projects_app
from api.cli.store import store_app
from api.cli.text import hoist, set_options
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
    console.print(table("Records 记录", ["entity 实体", "count 数量"], [[k, v] for k, v in s["counts"].items()]))
    console.print(table("Organisations by kind 机构类型", ["kind", "count"], [[k, v] for k, v in s["by_kind"].items()]))
    console.print(
        table("Top cities 主要城市", ["city 城市", "organisations 机构数"], [[k, v] for k, v in s["top_cities"]])
    )
    if s.get("region_sources"):
        console.print(table("Region from 地区来源", ["source 来源", "organisations 机构数"],
                            [[k, v] for k, v in s["region_sources"].items()]))
    console.print(
        table(
            "Chains 产业链",
            ["chain", "名称", "segments 环节", "organisations 机构"],
            [[c["id"], c["name_zh"], c["segments"], c["organisations"]] for c in s["chains"]],
        )
    )
    console.print(f"store version {s['version']} · as-of {s['as_of_min']} … {s['as_of_max']} · "
                  f"records with estimated fields: {s['estimated_records']}")


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
    console.print(
        "[bold]chainmatch demo[/bold] — the sample world is FICTIONAL (虚构示例数据): "
        "every firm, name and figure is invented."
    )
    console.print(f"store: {path} · {write_summary(result)}")
    print_stats(s)
    planted = {k: len(v) for k, v in answers.items() if isinstance(v, list)}
    if planted:
        console.print("planted answers 预设答案: " + ", ".join(f"{k}={v}" for k, v in planted.items()))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, map the error tree to exit codes."""
    owner_only()  # every file the CLI (and ``serve``) writes is 0600, every directory 0700
    argv = hoist(list(sys.argv[1:] if argv is None else argv), _owned_options)
    try:
        app(args=argv, prog_name="chainmatch", standalone_mode=False)
    except ChainmatchError as e:
        # the message names fields as [field]: escape it, or rich reads that as markup and drops it
        err_console.print(f"[red]error[/red] ({e.code}): {escape(str(e))}")
        if e.message_zh != e.message:
            err_console.print(f"错误：{escape(e.message_zh)}")
        raise SystemExit(3 if isinstance(e, BackendUnavailable) else 2) from None
    except typer.Abort:
        raise SystemExit(1) from None
    except typer.Exit as e:
        raise SystemExit(e.exit_code) from None
    except typer.TyperException as e:  # usage errors and bad parameters
        e.show()
        raise SystemExit(e.exit_code) from None
    finally:
        set_options()  # the next in-process run (tests) starts from the environment again
