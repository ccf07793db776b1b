"""Chinese-aware lexical search: jieba + English word tokens, BM25 (``bm25s``).

The tokenizer splits text into runs of CJK characters and of Latin letters and
digits. English words are lower-cased, lightly de-pluralised and stop words
dropped; CJK runs are cut with jieba's search mode (words plus their
sub-words). Domain phrases (segment names and keywords such as 动作捕捉 or
游戏引擎) are passed as a ``vocabulary``: every phrase found inside a CJK run is
emitted as one extra token, so a phrase query matches the phrase, not only
its parts. jieba's shared dictionary is never modified, so tokenisation does
not depend on what else ran in the process.

Examples
--------
>>> tok = Tokenizer(vocabulary=["动作捕捉", "虚拟制片"])
>>> tok("动作捕捉设备")
['动作', '捕捉', '设备', '动作捕捉']
>>> tok("Motion-capture suits & LED walls")
['motion', 'capture', 'suit', 'led', 'wall']
>>> idx = LexicalIndex.build(["光学动作捕捉系统", "游戏引擎 game engine", "LED 虚拟制片墙"],
...                          ["a", "b", "c"], tokenizer=tok)
>>> scores, rows = idx.search("动作捕捉设备", k=2)
>>> [idx.ids[r] for r in rows if r >= 0]
['a']
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "jieba_tokenizer",
    "Tokenizer",
    "LexicalIndex",
    "EN_STOPWORDS",
    "ZH_STOPWORDS",
    "top_k",
]

_JIEBA = None
_JIEBA_LOCK = threading.Lock()


def jieba_tokenizer():
    """The process-wide jieba tokenizer, initialised on first use, its log silenced.

    Never add words to it (see :class:`Tokenizer` for domain phrases).
    """
    global _JIEBA
    if _JIEBA is None:
        with _JIEBA_LOCK:
            if _JIEBA is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                _JIEBA = tk
    return _JIEBA


EN_STOPWORDS = frozenset(
    """a an and are as at be by co company corp corporation for from has have in inc is it its
    limited llc ltd of on or our that the their this to we with group holding holdings""".split()
)
ZH_STOPWORDS = frozenset(
    """的 和 与 及 等 为 是 在 了 对 或 并 其 以 于 之 也 有 由 从 向 把 被 将 中 上 下
    有限 公司 有限公司 股份 股份有限公司 责任 集团 、 ， 。 ； ： （ ） “ ” ‘ ’""".split()
)

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MAX_PHRASE = 12


def _singular(word: str) -> str:
    """A light English plural stripper (suits → suit, studios → studio, ies → y).

    >>> [_singular(w) for w in ["suits", "bodies", "glass", "boxes", "us", "series"]]
    ['suit', 'body', 'glass', 'box', 'us', 'series']
    """
    if len(word) <= 3 or word.endswith(("ss", "us", "is", "series")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


class Tokenizer:
    """Text → tokens for BM25: English words and jieba (search mode) CJK words.

    Parameters
    ----------
    vocabulary : iterable of str
        Domain phrases kept whole when they occur inside Chinese text.
    stem : bool
        Strip English plurals.
    """

    def __init__(self, vocabulary: Iterable[str] = (), *, stem: bool = True):
        phrases = set()
        for p in vocabulary:
            p = unicodedata.normalize("NFKC", p).lower().strip()
            if len(p) >= 2 and _CJK.search(p) and len(p) <= _MAX_PHRASE and " " not in p:
                phrases.add(p)
        self.vocabulary = frozenset(phrases)
        self.stem = stem
        self._lens = sorted({len(p) for p in self.vocabulary})

    def __call__(self, text: str) -> list[str]:
        return self.tokens(text)

    def tokens(self, text: str) -> list[str]:
        norm = unicodedata.normalize("NFKC", text or "").lower()
        out: list[str] = []
        for run in _RUN.findall(norm):
            if run[0].isascii():
                if run in EN_STOPWORDS:
                    continue
                out.append(_singular(run) if self.stem and not run.isdigit() else run)
                continue
            out.extend(t for t in jieba_tokenizer().lcut_for_search(run) if t.strip() and t not in ZH_STOPWORDS)
            if self.vocabulary:
                out.extend(self._phrases(run, out))
        return out

    def _phrases(self, run: str, seen: list[str]) -> list[str]:
        have = set(seen[-4 * len(run) :])
        extra = []
        for n in self._lens:
            for i in range(len(run) - n + 1):
                p = run[i : i + n]
                if p in self.vocabulary and p not in have:
                    extra.append(p)
                    have.add(p)
        return extra

    def to_json(self) -> dict:
        return {"vocabulary": sorted(self.vocabulary), "stem": self.stem}

    @classmethod
    def from_json(cls, doc: dict) -> Tokenizer:
        return cls(doc.get("vocabulary", ()), stem=doc.get("stem", True))


def top_k(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best positive scores, best first: ``(scores, rows)``, padded with ``(0, -1)``.

    >>> top_k(np.array([0.1, 3.0, 0.0, 2.0]), 3)
    (array([3. , 2. , 0.1], dtype=float32), array([1, 3, 0]))
    >>> top_k(np.array([1.0, 2.0]), 3, mask=np.array([True, False]))
    (array([1., 0., 0.], dtype=float32), array([ 0, -1, -1]))
    """
    scores = np.asarray(scores, dtype=np.float32)
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    # only positive scores are returned, and a query's terms match a small share of the rows: select
    # among those (partitioning every row took 1.3 ms of a query at 100k). Ties at the cut keep the
    # lowest rows, so the rows are always the first k by (score desc, row asc)
    pos = np.flatnonzero(scores > 0)  # ascending rows
    n = min(k, len(pos))
    rows = np.full(k, -1, dtype=np.int64)
    out = np.zeros(k, dtype=np.float32)
    if n:
        part = pos
        if n < len(pos):
            vals = scores[pos]
            cut = np.partition(vals, len(vals) - n)[len(vals) - n]  # the n-th best score
            above = pos[vals > cut]
            part = np.concatenate([above, pos[vals == cut][: n - len(above)]])
        part = part[np.lexsort((part, -scores[part]))][:n]
        rows[:n] = part
        out[:n] = scores[part]
    return out, rows


class LexicalIndex:
    """BM25 over tokenised documents, rows mapped to string ids.

    Built with :meth:`build`; :meth:`scores` gives the BM25 score of every
    document (for fusion and filters), :meth:`search` the top ``k``.
    """

    def __init__(self, retriever, ids: list[str], tokenizer: Tokenizer):
        self._bm25 = retriever
        self.ids = ids
        self.tokenizer = tokenizer

    @classmethod
    def build(
        cls,
        docs: Sequence[str],
        ids: Sequence[str],
        *,
        tokenizer: Tokenizer | None = None,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> LexicalIndex:
        import bm25s

        if len(docs) != len(ids):
            raise ValueError(f"{len(docs)} documents but {len(ids)} ids")
        tokenizer = tokenizer or Tokenizer()
        tokens = [tokenizer(d) or [""] for d in docs]
        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        if tokens:
            retriever.index(tokens, show_progress=False)
        return cls(retriever, list(ids), tokenizer)

    @property
    def size(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (float32, zeros if no term matches)."""
        q = self.tokenizer(query)
        if not q or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(q), dtype=np.float32)

    def search(self, query: str, k: int = 10, mask: np.ndarray | None = None):
        """Top ``k``: ``(scores, rows)``; rows index :attr:`ids`, ``-1`` pads."""
        return top_k(self.scores(query), k, mask)

    def save(self, directory: Path | str) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self._bm25.save(str(directory / "bm25"), show_progress=False)
        meta = {"ids": self.ids, "tokenizer": self.tokenizer.to_json(), "format": 1}
        (directory / "lexical.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, directory: Path | str) -> LexicalIndex:
        import bm25s

        directory = Path(directory)
        meta = json.loads((directory / "lexical.json").read_text("utf-8"))
        if meta["ids"]:
            retriever = bm25s.BM25.load(str(directory / "bm25"), show_progress=False, verbosity=0)
        else:
            retriever = bm25s.BM25()
        return cls(retriever, list(meta["ids"]), Tokenizer.from_json(meta["tokenizer"]))
