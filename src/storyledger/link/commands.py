"""CLI commands for corpus linking: stance training and scoring (threads and the rest join here)."""

from __future__ import annotations

import json
from typing import Any

import click


def register(main: click.Group, eval_group: click.Group) -> None:
    """Add this module's commands to the storyledger command line."""

    @main.group(name="train")
    def train_group() -> None:
        """Train the learned models that ship inside the package, reproducibly from public data."""

    @train_group.command(name="stance")
    @click.option("--bodies", required=True, type=click.Path(exists=True, dir_okay=False),
                  help="FNC-1 train_bodies.csv (Body ID, articleBody).")
    @click.option("--stances", required=True, type=click.Path(exists=True, dir_okay=False),
                  help="FNC-1 train_stances.csv (Headline, Body ID, Stance).")
    @click.option("--out", type=click.Path(dir_okay=False),
                  help="Where to write the model (default: the one shipped in the package).")
    @click.option("--seed", default=0, show_default=True, type=int)
    @click.option("--dev-fraction", default=0.2, show_default=True, type=click.FloatRange(0, 0.9),
                  help="Share of bodies held out (by Body ID) so `eval stance --body-disjoint` stays honest.")
    def train_stance_command(bodies: str, stances: str, out: str | None, seed: int, dev_fraction: float) -> None:
        """Train the stance model (agree / disagree / discuss / unrelated) on FNC-1 files."""
        from .stance import DEFAULT_MODEL, train_stance

        target = out or str(DEFAULT_MODEL)
        model = train_stance(bodies, stances, out=target, seed=seed, dev_fraction=dev_fraction, verbose=True)
        click.echo(f"Stance model written to {target} ({json.dumps(model.meta, default=str)[:200]})")

    @eval_group.command(name="stance")
    @click.option("--bodies", required=True, type=click.Path(exists=True, dir_okay=False),
                  help="FNC-1 bodies CSV (Body ID, articleBody).")
    @click.option("--stances", required=True, type=click.Path(exists=True, dir_okay=False),
                  help="FNC-1 stances CSV (Headline, Body ID, Stance).")
    @click.option("--body-disjoint", is_flag=True,
                  help="Score only the bodies held out of training (split by Body ID, as unseen news is).")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
    def eval_stance(bodies: str, stances: str, body_disjoint: bool, as_json: bool) -> None:
        """FNC-1 scores of the stance model: the weighted score (% of the maximum), macro-F1 and
        per-class F1."""
        from ..eval.stance import format_report, score_stance_files

        result: dict[str, Any] = score_stance_files(bodies, stances, body_disjoint=body_disjoint)
        click.echo(json.dumps(result, default=str) if as_json else format_report(result))
