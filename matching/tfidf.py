"""A small sparse TF-IDF model over :class:`matching.lexical.Tokenizer` tokens.

Used by segment classification for cosine similarities between firms,
segment profiles and centroids. Rows are L2-normalised ``scipy.sparse`` CSR.

Examples
--------
>>> from matching.lexical import Tokenizer
>>> m = TfidfModel.fit(["游戏引擎 实时渲染", "动作捕捉 设备", "game engine rendering"],
...                    tokenizer=Tokenizer(["游戏引擎"]))
>>> x = m.transform(["游戏引擎", "motion capture"])
>>> x.shape[0], round(float((x[0] @ m.transform(["游戏引擎 实时渲染"]).T).toarray()[0, 0]), 3) > 0
(2, True)
>>> float(x[1].sum())
0.0
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from matching.lexical import Tokenizer

__all__ = ["TfidfModel", "normalise_sparse_rows"]


def normalise_sparse_rows(x: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit L2 norm (empty rows stay empty)."""
    x = sp.csr_matrix(x, dtype=np.float32)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ x, dtype=np.float32)


class TfidfModel:
    """Sublinear TF (``1 + log tf``) times smoothed IDF, rows L2-normalised."""

    def __init__(self, vocab: dict[str, int], idf: np.ndarray, tokenizer: Tokenizer):
        self.vocab = vocab
        self.idf = idf
        self.tokenizer = tokenizer

    @classmethod
    def fit(cls, docs: Sequence[str], *, tokenizer: Tokenizer | None = None, min_df: int = 1) -> TfidfModel:
        tokenizer = tokenizer or Tokenizer()
        df: Counter[str] = Counter()
        for d in docs:
            df.update(set(tokenizer(d)))
        terms = sorted(t for t, n in df.items() if n >= min_df)
        vocab = {t: i for i, t in enumerate(terms)}
        n = max(len(docs), 1)
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in terms], dtype=np.float32)
        return cls(vocab, idf, tokenizer)

    @property
    def dim(self) -> int:
        return len(self.vocab)

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        rows, cols, vals = [], [], []
        for r, d in enumerate(docs):
            counts = Counter(t for t in self.tokenizer(d) if t in self.vocab)
            for t, c in counts.items():
                j = self.vocab[t]
                rows.append(r)
                cols.append(j)
                vals.append((1.0 + math.log(c)) * self.idf[j])
        x = sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), self.dim), dtype=np.float32)
        return normalise_sparse_rows(x)
