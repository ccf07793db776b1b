"""The ONNX query path kept in the data dir, so a later process encodes a query without torch.

A one-shot ``chainmatch search`` encodes one query; loading sentence-transformers
and torch for it cost about 5.8 s of its 6.7 s. When a process builds the ONNX
one-text path (:class:`matching.onnxquery.OnnxQuery`: serve's warm start, an
index build), :func:`store` writes its ONNX bytes into ``<data_dir>/cache``
with the model's own vectors of :data:`~matching.embedder.OneTextPath.PROBES`
(English, Chinese, mixed). A later process finds the file by
:func:`cache_key` (the model directory's files, names, sizes and mtimes, plus
the exporter's version) and :meth:`CachedQuery.load` runs the query through
``tokenizers`` (the model's ``tokenizer.json``, the model's truncation, no
padding), onnxruntime on one thread, numpy mean pooling and L2 normalisation:
neither torch nor sentence-transformers is imported.

Before first use the loaded path encodes the probes and must match the stored
vectors (cosine ≥ :data:`~matching.embedder.OneTextPath.MIN_COSINE` each). A
missing, foreign, corrupt or disagreeing file gives None (the reason logged),
and the caller takes the model's own path: the vectors never change silently.
Nothing is downloaded.

Examples
--------
A directory without the file gives None:

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     CachedQuery.load(Path(d), "0" * 16, Path(d)) is None
True
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from importlib import metadata
from pathlib import Path

import numpy as np

from matching.embedder import OneTextPath, normalise_rows

__all__ = ["FORMAT", "CachedQuery", "cache_key", "cache_file", "plain_mean_pooling", "store"]

#: What the file is; a reader refuses any other value (bump it when the layout changes).
FORMAT = "chainmatch ONNX query encoder v1"
_MAGIC = b"CMONNXQ1"

log = logging.getLogger(__name__)


def _exporter() -> str:
    """The exporter's identity: torch (which exports), the opset and this file format; read without importing torch."""
    from matching.onnxquery import OPSET

    try:
        torch = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch = "none"
    return f"torch {torch}, opset {OPSET}, {FORMAT}"


def cache_key(model_path: Path, model_id: str) -> str:
    """The model's identity as a short hex string: ``model_id``, every file's name, size and mtime, the exporter.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     a = cache_key(Path(d), "m")
    ...     _ = Path(d, "w.bin").write_bytes(b"x")
    ...     (len(a), a == cache_key(Path(d), "m"), a == cache_key(Path(d), "other"))
    (16, False, False)
    """
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{model_id}\0{_exporter()}".encode())
    for p in sorted(Path(model_path).rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"\0{p.relative_to(model_path).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()


def cache_file(cache_dir: Path, key: str) -> Path:
    """Where the ONNX query path of model identity ``key`` is kept.

    >>> cache_file(Path("c"), "ab12").as_posix()
    'c/query-onnx-ab12.bin'
    """
    return Path(cache_dir) / f"query-onnx-{key}.bin"


def plain_mean_pooling(model_path: Path) -> bool:
    """Whether the model is a transformer, mean pooling and (optionally) normalisation, nothing else.

    Only such a model is encoded by :class:`CachedQuery` (the bundled MiniLM is).

    >>> from matching.embedder import resolve_model_path
    >>> plain_mean_pooling(resolve_model_path("all-MiniLM-L6-v2"))
    True
    """
    try:
        modules = json.loads((Path(model_path) / "modules.json").read_text("utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
            return False
        cfg = json.loads((Path(model_path) / modules[1]["path"] / "config.json").read_text("utf-8"))
        modes = {k for k, v in cfg.items() if k.startswith("pooling_mode_") and v}
        return modes == {"pooling_mode_mean_tokens"} and (Path(model_path) / "tokenizer.json").is_file()
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return False


def store(cache_dir: Path, key: str, model_path: Path, model, onnx: bytes, keys: tuple[str, ...]) -> Path | None:
    """Write ``onnx`` (the model's exported transformer) and the model's probe vectors; the file's path, or None.

    The write is atomic (a temporary file renamed over the target). ``model`` is the loaded
    ``SentenceTransformer`` whose transformer ``onnx`` is; its probe vectors are computed here.
    """
    if not plain_mean_pooling(model_path):
        return None
    refs = model.encode(list(OneTextPath.PROBES), batch_size=1, normalize_embeddings=True,
                        convert_to_numpy=True, show_progress_bar=False)
    header = {"format": FORMAT, "key": key, "exporter": _exporter(), "keys": list(keys),
              "max_length": int(model.max_seq_length), "probes": list(OneTextPath.PROBES),
              "references": normalise_rows(refs).tolist(), "onnx_sha256": hashlib.sha256(onnx).hexdigest()}
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    target = cache_file(cache_dir, key)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_MAGIC + len(head).to_bytes(8, "little") + head + onnx)
        os.replace(tmp, target)
    except OSError as e:
        log.warning("ONNX query encoder not kept in %s: %s", cache_dir, e)
        tmp.unlink(missing_ok=True)
        return None
    return target


class CachedQuery:
    """One text through the kept ONNX transformer: ``tokenizers`` → onnxruntime → mean pooling → unit length."""

    def __init__(self, session, tokenizer, keys: tuple[str, ...]):
        self.session = session
        self.tokenizer = tokenizer
        self.keys = keys

    def encode(self, text: str) -> np.ndarray:
        """``(1, dim)`` float32 of unit length (the model's vector within float rounding)."""
        enc = self.tokenizer.encode(text.strip())
        feeds = {"input_ids": enc.ids, "attention_mask": enc.attention_mask, "token_type_ids": enc.type_ids}
        hidden = self.session.run(None, {k: np.asarray([feeds[k]], dtype=np.int64) for k in self.keys})[0]
        mask = np.asarray([enc.attention_mask], dtype=np.float32)[:, :, None]
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return normalise_rows(pooled)

    @classmethod
    def load(cls, cache_dir: Path, key: str, model_path: Path) -> CachedQuery | None:
        """The kept path of model identity ``key``, checked on its probes; None (reason logged) otherwise."""
        path = cache_file(cache_dir, key)
        if not path.is_file():
            log.info("kept ONNX query encoder not used: no %s", path.name)
            return None
        try:
            data = path.read_bytes()
            if data[:8] != _MAGIC:
                raise ValueError("not a kept ONNX query encoder")
            size = int.from_bytes(data[8:16], "little")
            header = json.loads(data[16:16 + size].decode("utf-8"))
            onnx = data[16 + size:]
            if header.get("format") != FORMAT or header.get("key") != key or header.get("exporter") != _exporter():
                raise ValueError(f"made for another model or exporter ({header.get('key')}, {header.get('exporter')})")
            if hashlib.sha256(onnx).hexdigest() != header.get("onnx_sha256"):
                raise ValueError("its ONNX bytes are damaged")
            if not plain_mean_pooling(model_path):
                raise ValueError("the model is not a transformer with mean pooling alone")
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=int(header["max_length"]))
            tokenizer.no_padding()
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1  # a query: one thread, as matching.threads says
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.log_severity_level = 3
            session = ort.InferenceSession(onnx, options, providers=["CPUExecutionProvider"])
            query = cls(session, tokenizer, tuple(header["keys"]))
            refs = np.asarray(header["references"], dtype=np.float32)
            got = np.vstack([query.encode(t) for t in header["probes"]])
            worst = float(np.sum(normalise_rows(refs) * got, axis=1).min())
            if len(header["probes"]) < 3 or worst < OneTextPath.MIN_COSINE:
                raise ValueError(f"its probe vectors differ from the model's (cosine {worst:.6f})")
        except Exception as e:  # any damaged, foreign or unloadable file: the model's own path
            log.warning("kept ONNX query encoder %s not used: %s: %s", path.name, type(e).__name__, e)
            return None
        return query
