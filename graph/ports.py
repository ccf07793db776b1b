"""Local TCP ports: one helper for every server started on loopback (benchmarks, tests, throwaway Neo4j).

Examples
--------
>>> 0 < free_port() < 65536
True
"""

from __future__ import annotations

import socket

__all__ = ["free_port"]


def free_port() -> int:
    """A TCP port free on loopback right now (the OS picks it; another process may take it later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
