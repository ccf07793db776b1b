"""``chainmatch import …``: tabular files, sample/world directories, real datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import DataDir, JsonOut, console, open_store_for, print_json, write_summary

__all__ = ["import_app"]

import_app = typer.Typer(help="Import organisations, links, segments, worlds and real datasets.",
                         no_args_is_help=True)


@import_app.command("world")
def import_world(
    directory: Annotated[Path | None, typer.Argument(help="World directory (default: the bundled sample world).")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Import a world directory (clusters/chains/segments/…/links .jsonl)."""
    from fixtures.world import load_world

    batch, _answers = load_world(directory)
    with open_store_for(data_dir) as store:
        result = store.write(batch)
    out = write_summary(result)
    print_json(out) if as_json else console.print(out)
