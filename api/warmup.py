"""How long a server's warm start takes, said before it starts and measured when it ends.

``chainmatch serve`` loads the model and builds (or loads) the search,
recommendation and analysis engines before it answers (its socket holds the
requests meanwhile). The log says "warming up (≈N s)" first: N is the last
warm start of this data directory, measured and kept in ``warm.json``,
scaled to the store's current size; before any was measured, a rough
per-organisation figure (the sample world's 1,670 firms took 41 s on a
2-core machine with the index built from nothing).

Examples
--------
>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> estimate_s(d, 1670)
42
>>> record(d, 12.4, 1670)
>>> estimate_s(d, 1670), estimate_s(d, 3340)
(12, 25)
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

__all__ = ["estimate_s", "record", "log", "FILE"]

log = logging.getLogger("chainmatch.warm")
"""The warm-start log; :func:`api.logsafe.uvicorn_log_config` prints it at INFO."""

FILE = "warm.json"

_BASE_S, _PER_ORG_S = 8.0, 0.02  # model load, then index / analysis work per organisation, cold


def estimate_s(data_dir, organisations: int) -> int:
    """Seconds the next warm start should take for a store of ``organisations`` (at least 1)."""
    try:
        last = json.loads((Path(data_dir) / FILE).read_text(encoding="utf-8"))
        seconds, seen = float(last["seconds"]), max(int(last["organisations"]), 1)
    except (OSError, ValueError, KeyError, TypeError):
        return max(1, math.ceil(_BASE_S + _PER_ORG_S * organisations))
    return max(1, round(seconds * max(organisations, seen) / seen))


def record(data_dir, seconds: float, organisations: int) -> None:
    """Keep this warm start's duration for the next estimate (best effort: a read-only dir keeps none)."""
    try:
        (Path(data_dir) / FILE).write_text(
            json.dumps({"seconds": round(seconds, 1), "organisations": organisations}), encoding="utf-8")
    except OSError:
        log.debug("could not record the warm-start time in %s", data_dir)
