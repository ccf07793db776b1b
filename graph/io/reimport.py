"""Re-importing an unchanged file into an unchanged store: answered from a mark, without reading the rows.

After an import that wrote its file's records as they are (no problem rows,
nothing merged onto other records), the importer leaves a mark in the store
(:class:`~graph.store.protocol.ImportMarks`): the digest of the file's bytes
and of every option that shapes its records, and the change counters the
import left. Importing the same bytes with the same options while the store
is still at that version would write the same records again and change
nothing; the importer says so from the mark, at the cost of hashing the
file. The store keeps a change counter per entity; the mark holds those of
the entities the import reads (an organisations import reads organisations
and segments; a links import links and organisations). A write that changes
one of them moves its counter, the mark no longer matches and the file is
imported row by row as before; a links import leaves an organisations
file's mark standing.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     p = Path(d) / "f.csv"
...     _ = p.write_text("企业名称\\n甲公司\\n", encoding="utf-8")
...     a = file_digest(p, {"entity": "organisations"})
...     b = file_digest(p, {"entity": "links"})
...     _ = p.write_text("企业名称\\n乙公司\\n", encoding="utf-8")
...     c = file_digest(p, {"entity": "organisations"})
>>> len(a), a != b, a != c
(32, True, True)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from graph.io.encoding import iter_chunks

__all__ = ["RULES", "file_digest", "mark_name", "unchanged_mark"]

#: Bump when the importer would turn the same cells into different records.
RULES = 1


def file_digest(path: Path, options: dict[str, Any]) -> str:
    """A digest of ``path``'s bytes and ``options`` (JSON-able) under the current :data:`RULES`."""
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps({"rules": RULES, **options}, sort_keys=True, ensure_ascii=False).encode())
    h.update(b"\x00")
    for chunk in iter_chunks(path):
        h.update(chunk)
    return h.hexdigest()


def mark_name(entity: str, file: str) -> str:
    """The mark's key: one per entity and file name (a newer import of that name replaces it).

    >>> mark_name("links", "links.csv")
    'links:links.csv'
    """
    return f"{entity}:{file}"


def unchanged_mark(mark: dict[str, Any] | None, digest: str, versions: dict[str, int]) -> bool:
    """Whether ``mark`` says this exact file was imported and the entities its import reads are as it left them.

    >>> m = {"digest": "d", "versions": {"links": 3, "organisations": 2}}
    >>> unchanged_mark(m, "d", {"links": 3, "organisations": 2}), unchanged_mark(m, "d", {"links": 3, "organisations": 5})
    (True, False)
    """
    return bool(mark) and mark.get("digest") == digest and mark.get("versions") == versions
