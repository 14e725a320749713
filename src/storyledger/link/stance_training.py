"""Training the stance model (:mod:`.stance`) from FNC-1 files: ``storyledger train stance``.

Training settings (the defaults reproduce the shipped model) were chosen by 5-fold
cross-validation over the stories of the training part of the story-disjoint split, never on its
dev part.  Training is deterministic for the same files, seed and embeddings (PyTorch on one CPU
thread).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .stance import BLOCKS, STANCES, Featurizer, StanceModel
from .stance_data import StanceRow, read_stances, split_by

MEMBERS = 3            # networks in the ensemble (different seeds, probabilities averaged)
STANCE_KINDS = 3       # latent stances of headline and evidence: asserts, refutes, hedges
RELATED_HIDDEN = 32    # hidden units of the relatedness network
DROPOUT = 0.3
EPOCHS = 30
BATCH = 256
LEARNING_RATE = 3e-3
WEIGHT_DECAY = 1e-3
CLASS_WEIGHT_POWER = 0.5   # loss weight of a label: (largest label count / its count) ** power


def fit_model(rows: Sequence[StanceRow], *, seed: int = 0, members: int = MEMBERS, epochs: int = EPOCHS,
              cache_dir: str | Path | None = None, verbose: bool = False) -> StanceModel:
    """Fit the featurizer and ``members`` networks on labelled rows (deterministic with the seed
    and the embeddings)."""
    t0 = time.time()
    rows = [r for r in rows if r.stance]
    if not rows:
        raise ValueError("no labelled pairs to train on")
    featurizer = Featurizer.fit(sorted({r.headline for r in rows}), sorted({r.body for r in rows}),
                                cache_dir=cache_dir)
    feats = featurizer.transform([(r.headline, r.body) for r in rows], cache_dir=cache_dir)
    if verbose:
        print(f"features of {len(rows)} pairs in {time.time() - t0:.0f} s", file=sys.stderr)
    y = np.array([STANCES.index(r.stance) for r in rows], dtype=np.int64)
    weights: dict[str, np.ndarray] = {}
    blocks = {}
    for name in BLOCKS:
        block = getattr(feats, name)
        mean, scale = block.mean(axis=0), block.std(axis=0)
        scale[scale < 1e-6] = 1.0
        weights[f"{name}_mean"], weights[f"{name}_scale"] = mean.astype(np.float32), scale.astype(np.float32)
        blocks[name] = ((block - mean) / scale).astype(np.float32)
    for k in range(members):
        net = _train_network(blocks, y, seed=seed * 1000 + k, epochs=epochs)
        weights.update({f"m{k}_{name}": value for name, value in net.items()})
        if verbose:
            print(f"network {k + 1} of {members} trained ({time.time() - t0:.0f} s)", file=sys.stderr)
    meta = {"seed": seed, "members": members, "epochs": epochs, "n_train_pairs": len(rows),
            "n_train_bodies": len({r.body_id for r in rows}),
            "label_counts": dict(Counter(r.stance for r in rows))}
    return StanceModel(featurizer, weights, meta=meta)


def _train_network(blocks: dict[str, np.ndarray], y: np.ndarray, *, seed: int, epochs: int) -> dict[str, np.ndarray]:
    """One factorised network (see :class:`StanceModel`), trained with PyTorch on one CPU thread
    (the same arithmetic every run, hence the same weights)."""
    import torch  # training only: it comes with sentence-transformers

    torch_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        k = STANCE_KINDS

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.head = torch.nn.Linear(blocks["head"].shape[1], k)
                self.evidence = torch.nn.Linear(blocks["evidence"].shape[1], k)
                self.related1 = torch.nn.Linear(blocks["related"].shape[1], RELATED_HIDDEN)
                self.related2 = torch.nn.Linear(RELATED_HIDDEN, 1)
                self.drop = torch.nn.Dropout(DROPOUT)
                # asserts (0), refutes (1), hedges (2); labels agree, disagree, discuss: the same
                # stance agrees, opposite ones disagree, anything else discusses
                table = torch.full((k, k, 3), -2.0)
                table[:, :, 2] = 0.0
                table[0, 0, 0] = table[1, 1, 0] = table[0, 1, 1] = table[1, 0, 1] = 2.0
                self.table = torch.nn.Parameter(table)

            def forward(self, head, evidence, related):
                ph = torch.softmax(self.head(self.drop(head)), 1)
                pe = torch.softmax(self.evidence(self.drop(evidence)), 1)
                labels = torch.einsum("ni,nj,ijk->nk", ph, pe, torch.softmax(self.table, 2))
                rel = torch.sigmoid(self.related2(torch.relu(self.related1(related))))
                return torch.cat([rel * labels, 1 - rel], 1).clamp_min(1e-7)

        net = Net()
        opt = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
        x = {name: torch.from_numpy(np.ascontiguousarray(block)) for name, block in blocks.items()}
        y_all = torch.from_numpy(y)
        counts = np.bincount(y, minlength=len(STANCES)).astype(np.float64)
        class_weight = torch.tensor((counts.max() / np.maximum(counts, 1)) ** CLASS_WEIGHT_POWER,
                                    dtype=torch.float32)
        n = len(y)
        for _ in range(epochs):
            net.train()
            perm = torch.randperm(n, generator=gen)
            for start in range(0, n, BATCH):
                b = perm[start:start + BATCH]
                proba = net(x["head"][b], x["evidence"][b], x["related"][b])
                loss = torch.nn.functional.nll_loss(torch.log(proba), y_all[b], weight=class_weight)
                opt.zero_grad()
                loss.backward()
                opt.step()

        def array(t: torch.Tensor) -> np.ndarray:
            return t.detach().numpy().copy()

        return {
            "head_w": array(net.head.weight.T), "head_b": array(net.head.bias),
            "evidence_w": array(net.evidence.weight.T), "evidence_b": array(net.evidence.bias),
            "related_w1": array(net.related1.weight.T), "related_b1": array(net.related1.bias),
            "related_w2": array(net.related2.weight.T), "related_b2": array(net.related2.bias),
            "table": array(net.table),
        }
    finally:
        torch.set_num_threads(torch_threads)


def train_stance(bodies_csv: str | Path, stances_csv: str | Path, *, out: str | Path | None = None,
                 seed: int = 0, dev_fraction: float = 0.2, split: str | None = None,
                 cache_dir: str | Path | None = None, verbose: bool = False) -> StanceModel:
    """Train the stance model from FNC-1 files; save it to ``out`` when given.

    With ``split`` ("body" or "story") the model is trained on the rows that :func:`split_by` (with
    the same seed and ``dev_fraction``) leaves for training, so its held-out part stays unseen;
    without it (the shipped model) on every pair.  The same files and seed give the same model.
    """
    rows = read_stances(bodies_csv, stances_csv)
    if split and dev_fraction > 0:
        train_rows, held = split_by(split, rows, dev_fraction=dev_fraction, seed=seed)
    else:
        train_rows, held = rows, []
    model = fit_model(train_rows, seed=seed, cache_dir=cache_dir, verbose=verbose)
    if held:
        model.meta.update({"split": split, "split_seed": seed, "dev_fraction": dev_fraction,
                           "held_out_bodies": len({r.body_id for r in held})})
    else:
        model.meta.update({"split": "none", "dev_fraction": 0.0})
    if out is not None:
        model.save(out)
    return model
