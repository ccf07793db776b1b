"""Hybrid organisation search: dense vectors + Chinese-aware BM25, fused, filtered, explained.

A :class:`SearchEngine` is built from a :class:`~graph.store.GraphStore`: one
dense vector per organisation (English text, see :mod:`matching.documents`),
one BM25 document over all its text, and a filter card. Hybrid search fuses
the two rankings by reciprocal rank fusion, with the dense list weighted by
how much of the query the model can read (an English-only model does not
vote on Chinese queries). Every hit carries its component scores and ranks.

The engine is persisted under ``<data_dir>/index`` with the store version and
model id it was built for; :meth:`SearchEngine.open` loads it when both still
match and rebuilds it otherwise, re-encoding only texts the embedding cache
does not hold.

Examples
--------
>>> from graph.model import Organisation, OrgKind, Provenance
>>> from graph.store.sqlite import SqliteStore
>>> from graph.store.protocol import Batch
>>> from matching.embedder import HashingEmbedder
>>> store = SqliteStore.memory()
>>> p = Provenance("doc")
>>> _ = store.write(Batch(organisations=[
...     Organisation("org:a", OrgKind.FIRM, "光影动作捕捉公司", p, name_en="Lightshadow Mocap",
...                  description_en="Optical motion capture suits and cameras.",
...                  region="cn/guangdong/shenzhen/nanshan", employees=80),
...     Organisation("org:b", OrgKind.FIRM, "星云游戏引擎公司", p, name_en="Nebula Engine",
...                  description_en="A real-time 3D game engine.", region="cn/shanghai/shanghai"),
... ]))
>>> engine = SearchEngine.build(store, HashingEmbedder(dim=64))
>>> [h.id for h in engine.search("游戏引擎", k=1)]
['org:b']
>>> hit = engine.search("motion capture", k=1)[0]
>>> hit.id, hit.lexical_rank, hit.dense_rank
('org:a', 1, 1)
>>> engine.search("engine", filters=Filters(region="cn/guangdong/shenzhen"), mode="lexical").hits
[]
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from graph.atomic import fsync_path, fsync_tree, sweep_stale, temp_sibling
from graph.display import status_note
from graph.errors import InvalidInput
from graph.model import OrgKind
from matching.documents import OrgCard, lexical_text, segment_vocabulary
from matching.embcache import EmbeddingCache, org_vectors
from matching.embedder import Embedder, Progress
from matching.fusion import dense_weight, rrf
from matching.lexical import LexicalIndex, Tokenizer, top_k
from matching.neo4j_vectors import load_dense, neo4j_index_for
from matching.querycache import QueryVectors
from matching.vectors import (
    APPROX,
    TARGET_RECALL,
    DistinctRows,
    FaissIndex,
    VectorIndex,
    exact_search,
)

__all__ = [
    "Filters",
    "Hit",
    "SearchResult",
    "SearchConfig",
    "SearchEngine",
    "MODES",
    "index_dir",
    "read_manifest",
    "staleness",
]

MODES = ("hybrid", "dense", "lexical")
#: 2: the dense index holds each distinct vector once (:class:`matching.vectors.DistinctRows`)
_FORMAT = 2


def index_dir(data_dir: Path | str) -> Path:
    """Where a data directory keeps its search engine."""
    return Path(data_dir) / "index"


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions on hits; ``None`` means "any".

    ``region`` is a region id prefix (``cn/guangdong/shenzhen`` includes its
    districts); ``segment`` matches confirmed and, unless ``confirmed_only``,
    predicted memberships.

    >>> card = OrgCard("o", "firm", "甲", "A", "cn/guangdong/shenzhen/nanshan", ("seg:x",), (), ("瞪羚",), 50)
    >>> Filters(region="cn/guangdong/shenzhen", tier="瞪羚", min_employees=10).accepts(card)
    True
    >>> Filters(region="cn/guangdong/shen").accepts(card), Filters(segment="seg:x", confirmed_only=True).accepts(card)
    (False, False)
    """

    region: str | None = None
    segment: str | None = None
    tier: str | None = None
    kind: str | None = None
    min_employees: int | None = None
    max_employees: int | None = None
    confirmed_only: bool = False

    def __post_init__(self):
        if self.kind is not None:
            try:
                object.__setattr__(self, "kind", OrgKind(self.kind).value)
            except ValueError as e:
                raise InvalidInput(
                    f"unknown organisation kind {self.kind!r}; expected one of "
                    + ", ".join(k.value for k in OrgKind)
                ) from e
        if self.region is not None:
            object.__setattr__(self, "region", self.region.strip().strip("/") or None)

    @property
    def active(self) -> bool:
        return any(
            v is not None
            for v in (self.region, self.segment, self.tier, self.kind, self.min_employees, self.max_employees)
        )

    def accepts(self, card: OrgCard) -> bool:
        if self.region is not None:
            r = card.region or ""
            if r != self.region and not r.startswith(self.region + "/"):
                return False
        if self.segment is not None:
            segs = card.confirmed if self.confirmed_only else card.segments
            if self.segment not in segs:
                return False
        if self.tier is not None and self.tier not in card.tiers:
            return False
        if self.kind is not None and card.kind != self.kind:
            return False
        if self.min_employees is not None and (card.employees is None or card.employees < self.min_employees):
            return False
        if self.max_employees is not None and (card.employees is None or card.employees > self.max_employees):
            return False
        return True


@dataclass(frozen=True, slots=True)
class Hit:
    """One result with the parts of its score (ranks are 1-based; ``None`` = not in that list).

    ``status`` is the registration status; ``status_note_zh`` / ``status_note_en`` say why a closed
    or moved-out organisation counts nowhere (已注销（2021-03-01）, :func:`graph.display.status_note`).
    """

    id: str
    name: str
    rank: int
    score: float
    dense_score: float | None = None
    dense_rank: int | None = None
    lexical_score: float | None = None
    lexical_rank: int | None = None
    region: str | None = None
    status: str = "unknown"
    status_note_zh: str = ""
    status_note_en: str = ""
    name_zh: str = ""
    name_en: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResult:
    """Hits plus how they were made (mode, list weights)."""

    query: str
    mode: str
    weights: dict[str, float]
    hits: list[Hit]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, i):
        return self.hits[i]

    @property
    def ids(self) -> list[str]:
        return [h.id for h in self.hits]

    def as_dict(self) -> dict:
        return {"query": self.query, "mode": self.mode, "weights": self.weights,
                "hits": [h.as_dict() for h in self.hits]}


@dataclass(frozen=True)
class SearchConfig:
    """Index and fusion parameters (candidates per list, RRF constant, FAISS threshold and tuning target)."""

    exact_below: int = 50_000
    approx: str = APPROX[0]
    target_recall: float = TARGET_RECALL
    depth: int = 100
    rrf_k: float = 60.0
    lexical_weight: float = 1.0
    dense_weight: float = 1.0
    exact_filter_below: int = 200_000

    def index_key(self) -> dict:
        return {"exact_below": self.exact_below, "approx": self.approx, "target_recall": self.target_recall}

    @classmethod
    def from_settings(cls, settings) -> SearchConfig:
        """Read ``search_exact_below``, ``search_approx``, ``search_target_recall`` and ``search_rrf_k`` when the settings have them.

        >>> SearchConfig.from_settings(object()) == SearchConfig()
        True
        """
        base = cls()
        return cls(
            exact_below=getattr(settings, "search_exact_below", base.exact_below),
            approx=getattr(settings, "search_approx", base.approx),
            target_recall=getattr(settings, "search_target_recall", base.target_recall),
            rrf_k=getattr(settings, "search_rrf_k", base.rrf_k),
        )


@dataclass
class SearchEngine:
    """Cards, the dense index (+ vectors) and the lexical index over one store version."""

    cards: list[OrgCard]
    vectors: np.ndarray
    dense: VectorIndex
    lexical: LexicalIndex
    embedder: Embedder
    config: SearchConfig = field(default_factory=SearchConfig)
    meta: dict = field(default_factory=dict)
    queries: QueryVectors = field(default_factory=QueryVectors, repr=False, compare=False)

    # ------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        store,
        embedder: Embedder,
        *,
        cache: EmbeddingCache | None = None,
        config: SearchConfig | None = None,
        progress: Progress | None = None,
    ) -> SearchEngine:
        """Build from every organisation in ``store`` (encodes only uncached texts)."""
        config = config or SearchConfig()
        t0 = time.perf_counter()
        version = store.version()
        orgs = list(store.organisations())
        english_only = "zh" not in embedder.languages
        cards = [OrgCard.of(o) for o in orgs]
        ids = [c.id for c in cards]
        vectors, n_encoded = org_vectors(embedder, orgs, cache, english_only=english_only, progress=progress)
        dense = neo4j_index_for(store, embedder)  # Neo4j's own vector index when the store is Neo4j
        if dense is None:
            # organisations sharing a text share a vector: the graph holds each distinct one once
            dense = DistinctRows(FaissIndex(embedder.dim, exact_below=config.exact_below, approx=config.approx,
                                            target_recall=config.target_recall))
        if len(orgs):
            dense.add(vectors, ids)
            dense.build()
        tokenizer = Tokenizer(segment_vocabulary(store.segments()))
        lexical = LexicalIndex.build([lexical_text(o) for o in orgs], ids, tokenizer=tokenizer)
        meta = {
            "format": _FORMAT,
            "store_version": version,
            "model_id": embedder.model_id,
            "config": config.index_key(),
            "size": len(cards),
            "dense_kind": dense.kind,
            "distinct_vectors": getattr(dense, "distinct", None),
            "n_encoded": n_encoded,
            "build_seconds": round(time.perf_counter() - t0, 3),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        dense.meta = {"store_version": version, "model_id": embedder.model_id}
        return cls(cards, vectors, dense, lexical, embedder, config, meta)

    @classmethod
    def open(
        cls,
        store,
        embedder: Embedder,
        directory: Path | str | None = None,
        *,
        cache: EmbeddingCache | None = None,
        config: SearchConfig | None = None,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> SearchEngine:
        """Load the engine saved in ``directory`` if it fits the store and model; else build and save.

        ``meta["rebuilt"]`` says which happened. Without a ``directory`` the
        engine is built in memory only.
        """
        config = config or SearchConfig()
        if directory is not None and not rebuild:
            manifest = read_manifest(directory)
            if manifest is not None and _fresh(manifest, store.version(), embedder, config):
                try:
                    engine = cls.load(directory, embedder, config=config, store=store)
                except (OSError, ValueError, KeyError, EOFError, RuntimeError, InvalidInput):
                    engine = None  # damaged on disk (numpy: EOFError, FAISS: RuntimeError): rebuild below
                if engine is not None:
                    engine.meta["rebuilt"] = False
                    return engine
        engine = cls.build(store, embedder, cache=cache, config=config, progress=progress)
        engine.meta["rebuilt"] = True
        if directory is not None:
            engine.save(directory)
            # the saved rows, mapped, as a loaded engine reads them: the float rows the build encoded
            # (1.5 GB at 1M) are not kept in memory beside the dense index's own copy
            engine.vectors = np.load(Path(directory) / "vectors.npy", mmap_mode="r")
        return engine

    # ------------------------------------------------------------ persistence
    def save(self, directory: Path | str) -> None:
        """Write atomically: a sibling temp directory, flushed to disk, is renamed into place.

        A writer killed at any point leaves the previous index or none (then
        :meth:`open` rebuilds), never a mix; what it left beside is swept here.
        """
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp, old = temp_sibling(directory), temp_sibling(directory, "old")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        self.dense.save(tmp / "dense")
        self.lexical.save(tmp / "lexical")
        np.save(tmp / "vectors.npy", self.vectors)
        with open(tmp / "cards.jsonl", "w", encoding="utf-8") as fh:
            for c in self.cards:
                fh.write(json.dumps(c.to_json(), ensure_ascii=False) + "\n")
        (tmp / "manifest.json").write_text(json.dumps(self.meta, ensure_ascii=False, indent=1), "utf-8")
        fsync_tree(tmp)
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        fsync_path(directory.parent)
        sweep_stale(directory)

    @classmethod
    def load(cls, directory: Path | str, embedder: Embedder, *, config: SearchConfig | None = None,
             store=None) -> SearchEngine:
        """Load a saved engine (a dense index kept in Neo4j is reattached to ``store``)."""
        directory = Path(directory)
        meta = read_manifest(directory)
        if meta is None:
            raise InvalidInput(f"no search index at {directory}", f"{directory} 处没有搜索索引")
        with open(directory / "cards.jsonl", encoding="utf-8") as fh:
            cards = [OrgCard.from_json(json.loads(line)) for line in fh if line.strip()]
        vectors = np.load(directory / "vectors.npy", mmap_mode="r")
        dense = load_dense(directory / "dense", store)
        lexical = LexicalIndex.load(directory / "lexical")
        sizes = {len(cards), len(vectors), dense.size, len(lexical.ids), meta.get("size")}
        if len(sizes) != 1:
            raise InvalidInput(f"damaged search index at {directory}: parts disagree on its size {sizes}")
        return cls(cards, vectors, dense, lexical, embedder, config or SearchConfig(), meta)

    # ------------------------------------------------------------ search
    @property
    def size(self) -> int:
        return len(self.cards)

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean row mask of the cards ``filters`` accepts (``None`` when unfiltered)."""
        if filters is None or not filters.active:
            return None
        return np.fromiter((filters.accepts(c) for c in self.cards), dtype=bool, count=len(self.cards))

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
    ) -> SearchResult:
        """The ``k`` best organisations for ``query`` (see the module docstring)."""
        if mode not in MODES:
            raise InvalidInput(f"unknown search mode {mode!r}; expected one of {', '.join(MODES)}")
        query = (query or "").strip()
        if not query:
            raise InvalidInput("empty search query", "搜索词为空")
        if k < 1:
            raise InvalidInput(f"k must be positive, got {k}")
        mask = self.mask(filters)
        depth = max(k, self.config.depth)
        weights = {
            "dense": 0.0 if mode == "lexical" else (
                1.0 if mode == "dense" else dense_weight(query, self.embedder.languages, base=self.config.dense_weight)
            ),
            "lexical": 0.0 if mode == "dense" else self.config.lexical_weight,
        }
        if mask is not None and not mask.any():
            return SearchResult(query, mode, weights, [])
        dense_rows: list[int] = []
        dense_scores: dict[int, float] = {}
        lex_rows: list[int] = []
        lex_scores: dict[int, float] = {}
        qv = None
        if weights["dense"] > 0:
            qv = self.queries.encode(self.embedder, query)
            dense_rows, dense_scores = self._dense(qv, depth, mask)
        if weights["lexical"] > 0:
            all_scores = self.lexical.scores(query)
            if mask is not None:
                all_scores = np.where(mask, all_scores, 0.0)
            s, r = top_k(all_scores, depth)
            lex_rows = [int(x) for x in r if x >= 0]
            lex_scores = {int(x): float(y) for x, y in zip(r, s, strict=True) if x >= 0}
        fused = rrf({"dense": dense_rows, "lexical": lex_rows}, weights, k0=self.config.rrf_k)[:k]
        d_rank = {row: i for i, row in enumerate(dense_rows, start=1)}
        l_rank = {row: i for i, row in enumerate(lex_rows, start=1)}
        hits = []
        for rank, (row, score) in enumerate(fused, start=1):
            card = self.cards[row]
            d_score = dense_scores.get(row)
            if d_score is None and qv is not None:
                d_score = float(np.asarray(self.vectors[row]) @ qv[0])
            hits.append(
                Hit(
                    id=card.id,
                    name=card.name,
                    rank=rank,
                    score=round(float(score), 6),
                    dense_score=None if d_score is None else round(d_score, 6),
                    dense_rank=d_rank.get(row),
                    lexical_score=None if weights["lexical"] == 0 else round(lex_scores.get(row, 0.0), 6),
                    lexical_rank=l_rank.get(row),
                    region=card.region,
                    status=card.status,
                    status_note_zh=status_note(card.status, card.status_detail, card.status_date, "zh"),
                    status_note_en=status_note(card.status, card.status_detail, card.status_date, "en"),
                    name_zh=card.name_zh,
                    name_en=card.name_en,
                )
            )
        return SearchResult(query, mode, weights, hits)

    def _dense(self, qv: np.ndarray, depth: int, mask: np.ndarray | None) -> tuple[list[int], dict[int, float]]:
        """Dense candidates: the index when unfiltered, exact over the allowed rows when filtered."""
        if mask is None:
            s, r = self.dense.search(qv, depth)
        else:
            allowed = int(mask.sum())
            r = None
            if allowed > self.config.exact_filter_below:
                # a loose filter over a big index: oversample the index, then filter
                s, r = self.dense.search(qv, depth * 10)
                keep = (r >= 0) & mask[np.maximum(r, 0)]
                if keep.sum() >= min(depth, allowed):
                    s, r = s[keep][None, :depth], r[keep][None, :depth]
                else:
                    r = None
            if r is None:  # exact over the allowed rows
                rows = np.flatnonzero(mask)
                s, r = exact_search(np.asarray(self.vectors[rows]), qv, depth)
                r = np.where(r >= 0, rows[np.maximum(r, 0)], -1)
        rows = [int(x) for x in r[0] if x >= 0]
        scores = {int(x): float(y) for x, y in zip(r[0], s[0], strict=True) if x >= 0}
        return rows, scores

    def status(self) -> dict:
        return {**self.meta, "size": self.size, "dense_kind": getattr(self.dense, "kind", None)}


def read_manifest(directory: Path | str) -> dict | None:
    """The manifest of a saved engine, or ``None`` if there is none (or it is unreadable)."""
    try:
        return json.loads((Path(directory) / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _fresh(manifest: dict, version: int, embedder: Embedder, config: SearchConfig) -> bool:
    return (
        manifest.get("format") == _FORMAT
        and manifest.get("store_version") == version
        and manifest.get("model_id") == embedder.model_id
        and manifest.get("config") == config.index_key()
    )


def staleness(manifest: dict | None, version: int, model_id: str, config: SearchConfig | None = None) -> str | None:
    """Why a saved engine cannot be used, or ``None`` if it is current.

    >>> staleness({"format": 2, "store_version": 3, "model_id": "m", "config": SearchConfig().index_key()}, 4, "m")
    'built for store version 3, store is at 4'
    """
    if manifest is None:
        return "no index built yet"
    if manifest.get("format") != _FORMAT:
        return "index format changed"
    if manifest.get("store_version") != version:
        return f"built for store version {manifest.get('store_version')}, store is at {version}"
    if manifest.get("model_id") != model_id:
        return f"built with model {manifest.get('model_id')}, configured model is {model_id}"
    if manifest.get("config") != (config or SearchConfig()).index_key():
        return "index settings changed"
    return None

