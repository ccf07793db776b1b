"""Depth-limited JSON reading for every uploaded or imported JSON text.

``json.loads`` recurses once per nesting level, so ``[`` × 2000 raises
``RecursionError`` (a 500 over HTTP), and a document nested a few hundred
levels deep parses but makes every later walk over it recurse as deep.
:func:`loads` parses, turns ``RecursionError`` into
:class:`~graph.errors.InvalidInput`, and refuses documents nested deeper than
``max_depth`` (checked without recursion). Import records are at most a few
levels deep (an organisation's ``financing`` list of objects is 3).

Examples
--------
>>> loads('{"a": [1, {"b": 2}]}', "a.json")
{'a': [1, {'b': 2}]}
>>> loads("[" * 2000 + "]" * 2000, "deep.json")
Traceback (most recent call last):
...
graph.errors.InvalidInput: deep.json: JSON nested too deeply (more than 32 levels)
  deep.json: JSON nested too deeply (more than 32 levels)
"""

from __future__ import annotations

import json

from graph.errors import InvalidInput, Problem

__all__ = ["MAX_DEPTH", "loads", "depth_exceeds"]

MAX_DEPTH = 32


def depth_exceeds(doc, max_depth: int = MAX_DEPTH) -> bool:
    """Whether ``doc`` nests lists/objects deeper than ``max_depth`` (iterative, no recursion).

    >>> depth_exceeds([[1]], 2), depth_exceeds([[[1]]], 2)
    (False, True)
    """
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        items = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if items is None:
            continue
        if depth > max_depth:
            return True
        stack.extend((v, depth + 1) for v in items if isinstance(v, (dict, list)))
    return False


def loads(text: str, file: str, row: int | None = None, max_depth: int = MAX_DEPTH):
    """``json.loads(text)`` refusing over-deep nesting as :class:`InvalidInput` (``JSONDecodeError`` passes).

    Parameters
    ----------
    text : str
        The JSON text.
    file, row
        Where it came from, for the problem reported.
    max_depth : int
        Most nesting levels accepted.
    """
    reason = f"JSON nested too deeply (more than {max_depth} levels)"
    try:
        doc = json.loads(text)
    except RecursionError:
        doc = None
        deep = True
    else:
        deep = depth_exceeds(doc, max_depth)
    if deep:
        where = f"{file}:{row}" if row is not None else file
        raise InvalidInput(f"{where}: {reason}", f"{where}：JSON 嵌套过深（超过 {max_depth} 层）",
                           [Problem(file, row, None, reason)])
    return doc
