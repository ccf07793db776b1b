"""Shared pieces of the CLI: consoles, common options, output helpers."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["console", "err_console", "say_err", "progress_bar", "DataDir", "JsonOut", "settings_for", "open_store_for", "engine_room",
           "print_json", "table", "write_summary"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def say_err(msg: str) -> None:
    """One line of progress on stderr, unwrapped and unstyled (a log file reads it as written)."""
    err_console.print(msg, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def progress_bar(label: str, quiet: bool = False):
    """A ``progress(done, total)`` callback for long work (None when ``quiet``, e.g. ``--json``).

    On a terminal it draws a rich bar; anywhere else (a log file, CI, a pipe),
    where a bar draws nothing, it prints a line every 10 s with an estimate of
    what is left (:func:`matching.progress.line_progress`).
    """
    if quiet:
        yield None
        return
    if not err_console.is_terminal:
        from api.cli.text import lang
        from matching.progress import line_progress

        yield line_progress(label, say_err, lang=lang())
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Store directory (default: CHAINMATCH_DATA_DIR or ./.chainmatch)."),
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def settings_for(data_dir: Path | None):
    """The settings, with ``--data-dir`` taking precedence over the environment."""
    from graph.settings import Settings

    return Settings(data_dir=data_dir) if data_dir else Settings()


def open_store_for(data_dir: Path | None):
    from graph.store import open_store

    return open_store(settings_for(data_dir))


@contextmanager
def engine_room(data_dir: Path | None, *, workspace: bool = False) -> Iterator[tuple]:
    """``(engines, store)`` — or ``(engines, store, workspace)`` — of one command, closed afterwards.

    The engines are the API's (:class:`matching.engines.Engines`): the same
    composition, caches and index lock, so a command answers what its route
    answers. Opening the workspace first finishes the project landings a
    crash interrupted (:mod:`matching.projects.landing`).
    """
    from matching.engines import Engines
    from matching.projects.book import ProjectBook
    from matching.workspace import Workspace, workspace_path

    settings = settings_for(data_dir)
    with open_store_for(data_dir) as store:
        if not workspace:
            yield Engines(settings), store
            return
        with Workspace.open(workspace_path(settings)) as ws:
            ProjectBook(ws, store).recover()
            yield Engines(settings), store, ws


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def table(title: str, columns: list[str], rows: list[list]) -> Table:
    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*("" if v is None else str(v) for v in r))
    return t



def write_summary(result) -> dict:
    return {
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "merged": len(result.merged),
        "version": result.version,
    }
