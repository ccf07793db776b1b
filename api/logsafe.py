"""Keep API-key secrets out of the server log.

The API reads keys from headers only (``Authorization: Bearer`` or
``X-API-Key``), never from the URL, and never logs headers. A client may
still put a key in a query string by mistake (``?api_key=cmk_…``); uvicorn's
access log prints the path with its query, so :class:`RedactSecrets`
rewrites anything shaped like a key to its public id before a record is
written. ``chainmatch serve`` installs it on uvicorn's handlers with
:func:`uvicorn_log_config`, which also routes the ``chainmatch`` loggers
(start-up warnings) through uvicorn's formatter.

Examples
--------
>>> redact('GET /stats?api_key=cmk_0a1b2c3d_Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4 HTTP/1.1')
'GET /stats?api_key=cmk_0a1b2c3d_[redacted] HTTP/1.1'
>>> redact('GET /stats?k=%63MK%5F0A1B2C3D%5fZm9vYmFyYmF6cXV4 HTTP/1.1')  # any case, percent-encoded
'GET /stats?k=cmk_0a1b2c3d_[redacted] HTTP/1.1'
>>> redact('GET /stats?token=Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA HTTP/1.1')  # a bare secret
'GET /stats?token=[redacted] HTTP/1.1'
>>> redact("no key here"), redact(7)
('no key here', 7)
"""

from __future__ import annotations

import copy
import logging
import re
from urllib.parse import unquote

__all__ = ["redact", "RedactSecrets", "uvicorn_log_config"]



def _either(ch: str) -> str:
    """A pattern for ``ch`` as itself or percent-encoded (both cases, with ``re.I``)."""
    codes = {f"%{ord(c):02x}" for c in {ch.lower(), ch.upper()}}
    return "(?:" + "|".join([re.escape(ch), *sorted(codes)]) + ")"


_HEX = "(?:[0-9a-f]|%3[0-9]|%[46][1-6])"
_SECRET_CHAR = r"(?:[a-z0-9\-_]|%[0-9a-f]{2})"
# a key in any case, any of its characters percent-encoded, or cut short: the id is public,
# anything after it is not
_KEY = re.compile("".join(_either(c) for c in "cmk_") + f"({_HEX}{{8}})" + f"(?:{_either('_')}{_SECRET_CHAR}*)?",
                  re.I)
# a secret without its prefix: a long URL-safe run in a query string (a key secret is 43 characters)
_QUERY = re.compile(r"\?[^\s\"]*")
_BARE = re.compile(r"(?<![A-Za-z0-9_\-%])(?:[A-Za-z0-9_\-]|%[2-7][0-9A-Fa-f]){24,}")  # ASCII only: not 中文


def _key(m: re.Match) -> str:
    return "cmk_" + unquote(m.group(1)).lower() + "_[redacted]"


def redact(value):
    """``value`` with every API-key secret replaced; non-strings unchanged."""
    if not isinstance(value, str):
        return value
    value = _KEY.sub(_key, value)
    if "?" in value:
        value = _QUERY.sub(lambda q: _BARE.sub(lambda b: b.group() if "[redacted]" in b.group()
                                               or b.group().startswith("cmk_") else "[redacted]", q.group()),
                           value)
    return value


class RedactSecrets(logging.Filter):
    """A logging filter (for handlers) that redacts key secrets in messages, arguments and tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = redact(record.exc_text)
        return True


def uvicorn_log_config() -> dict:
    """uvicorn's default logging config with :class:`RedactSecrets` on every handler and the
    ``chainmatch`` loggers (WARNING and up; the warm start's and the progress lines at INFO) printed through
    uvicorn's default handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": "api.logsafe.RedactSecrets"}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact_secrets"]
    config["loggers"]["chainmatch"] = {"handlers": ["default"], "level": "WARNING", "propagate": False}
    # the warm start says how long it will take and took (api.warmup): worth a line at INFO
    config["loggers"]["chainmatch.warm"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    # long work without a progress bar (the first index build, a classify) says where it is every 10 s
    config["loggers"]["chainmatch.progress"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
