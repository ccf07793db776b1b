"""One query text through the model's transformer exported to ONNX and run by onnxruntime on one thread.

A query is one short text. The traced TorchScript graph
(:class:`matching.embedder.TracedQuery`) still spends about 12 ms of CPU on
one English query on one thread (``bench hybrid``, 100k firms), most of the
English hybrid search's 20 ms budget. onnxruntime runs the same transformer,
exported from the loaded weights, in about half that: its CPU kernels fuse
attention and layer normalisation and skip TorchScript's interpreter.

Nothing is downloaded: :meth:`OnnxQuery.build` exports the loaded
model's transformer in memory (torch's TorchScript-based exporter, opset 17,
dynamic batch and sequence axes; about 4 s for MiniLM-L6), opens an
onnxruntime session on one intra-op thread, and checks it against the
model's own path on texts of different lengths and scripts (cosine ≥
:data:`~matching.embedder.OneTextPath.MIN_COSINE` each, the same check as the
traced path). It returns None when onnxruntime is missing, the model does
not fit, or anything differs; the caller then falls back to the traced path,
so vectors never change silently. The embedder then keeps the bytes in the
data dir (:mod:`matching.onnxcache`) for later processes. The pooling and normalisation modules after
the transformer run as they are, in torch.

Examples
--------
Anything but a sentence-transformers ``Transformer`` first gets None:

>>> OnnxQuery.build(object()) is None
True
"""

from __future__ import annotations

import io
import logging

from matching.embedder import OneTextPath, transformer_inputs

__all__ = ["OnnxQuery", "OPSET"]

#: The ONNX operator set the transformer is exported at (onnxruntime ≥ 1.14 runs it).
OPSET = 17

log = logging.getLogger(__name__)


class OnnxQuery(OneTextPath):
    """The one-text path of a sentence-transformers model through onnxruntime (see the module docstring)."""

    def __init__(self, model, session, keys: tuple[str, ...], output: str = "token_embeddings", onnx: bytes = b""):
        super().__init__(model, keys, output)
        self.session = session
        self.onnx = onnx  # the exported bytes, kept in the data dir by matching.onnxcache.store

    def hidden(self, features: dict):
        import torch

        return torch.from_numpy(self.session.run(None, {k: features[k].numpy() for k in self.keys})[0])

    @classmethod
    def build(cls, model) -> OnnxQuery | None:
        """The ONNX path of ``model`` (a loaded ``SentenceTransformer``), checked; None where it does not apply."""
        try:
            import onnxruntime as ort
        except ImportError:
            log.info("ONNX query encoder not used: onnxruntime is not installed")
            return None
        try:
            import warnings

            import torch

            found = transformer_inputs(model)
            if found is None:
                return None
            hidden, example, keys = found
            buf = io.BytesIO()
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")  # exporter warnings about shapes: checked against the model below
                axes = {k: {0: "batch", 1: "tokens"} for k in keys} | {"hidden": {0: "batch", 1: "tokens"}}
                torch.onnx.export(hidden.eval(), tuple(example[k] for k in keys), buf, input_names=list(keys),
                                  output_names=["hidden"], dynamic_axes=axes, opset_version=OPSET, dynamo=False)
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1  # a query: one thread, as matching.threads says
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3  # errors only: its warnings about unused initialisers say nothing to users
            session = ort.InferenceSession(buf.getvalue(), options, providers=["CPUExecutionProvider"])
            return cls.checked(model, cls(model, session, keys, getattr(model[0], "module_output_name",
                                                                        "token_embeddings"), buf.getvalue()), "ONNX")
        except Exception as e:  # any model or exporter this does not fit keeps another path
            log.info("ONNX query encoder not used: %s: %s", type(e).__name__, e)
            return None
