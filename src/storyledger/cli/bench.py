"""`storyledger bench`: speed and memory measured, the readers fuzzed, the app under load."""

from __future__ import annotations

import json
from typing import Any

import click

from .common import JSON_OBJECT_OPTION, main


@main.command()
@click.option("--corpus", type=click.Path(exists=True), help="A corpus folder or file (all modes but fuzz, serve).")
@click.option("--mode", type=click.Choice(["throughput", "dask", "memory", "all", "fuzz", "serve", "track", "rerun"]),
              default="throughput", show_default=True, help="throughput: full build against the parse-only floor; "
              "dask: 1 vs N workers; memory: peak RSS as the corpus grows; fuzz: random hostile input at every "
              "reader; serve: latency of the web app (on 127.0.0.1) under a bounded load of mixed requests; "
              "track: seconds `storyledger track` takes to answer, first and once embeddings are cached "
              "(on --corpus built, or a copy of --db); rerun: a first build against an unchanged re-run.")
@click.option("--db", "db_path", type=click.Path(exists=True, dir_okay=False), help="The ledger the serve mode serves.")
@click.option("--requests", "n_requests", default=1000, show_default=True, type=click.IntRange(1, 20_000),
              help="Requests the serve mode sends (at most 20,000).")
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 32),
              help="Clients the serve mode runs at once (at most 32).")
@click.option("--seconds", default=60.0, show_default=True, type=click.FloatRange(min=0.1),
              help="How long the fuzz mode runs; the serve mode starts no request after it (at most 600).")
@click.option("--seed", default=0, show_default=True, help="The fuzz and serve modes' random seed.")
@click.option("--workers", default="1,2", show_default=True, help="Dask worker counts to compare.")
@click.option("--sizes", default="1000,5000", show_default=True, help="Corpus sizes for the memory mode.")
@click.option("--map", "field_map", metavar="FIELD=COLUMN,...", help="As for build.")
@JSON_OBJECT_OPTION
def bench(corpus: str | None, mode: str, db_path: str | None, n_requests: int, concurrency: int, seconds: float,
          seed: int, workers: str, sizes: str, field_map: str | None, as_json: bool) -> None:
    """Measure speed and memory: the full pipeline against spaCy's parse alone (same documents,
    same process), Dask scaling, and memory growth with corpus size; or fuzz the readers."""
    from ..eval import bench as benchmarks
    from ..ingest.readers import ReadOptions, parse_field_map

    if mode == "fuzz":
        from ..eval.fuzz import run_fuzz

        click.echo(json.dumps(run_fuzz(seconds, seed), default=str, indent=None if as_json else 1))
        return
    if mode == "serve":
        if db_path is None:
            raise click.UsageError("--db is required for the serve mode (build a ledger first)")
        try:
            result = benchmarks.serve_load(db_path, n_requests, concurrency, seconds, seed)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        click.echo(json.dumps(result) if as_json else benchmarks.render(result))
        return
    if mode == "track" and (corpus or db_path):
        tracked = benchmarks.tracking(corpus, db_path, ReadOptions(field_map=parse_field_map(field_map)))
        click.echo(json.dumps(tracked) if as_json else benchmarks.render(tracked))
        return
    if corpus is None:
        raise click.UsageError("--corpus is required for this mode")
    options = ReadOptions(field_map=parse_field_map(field_map))
    result: dict[str, Any] = {"corpus": corpus}
    if mode == "rerun":
        result.update(benchmarks.rerun(corpus, field_map))
    if mode in ("throughput", "all"):
        result["throughput"] = benchmarks.throughput(corpus, options)
    if mode in ("dask", "all"):
        counts = tuple(int(n) for n in workers.split(",") if n.strip())
        result.update(benchmarks.dask_scaling(corpus, counts, options))
    if mode in ("memory", "all"):
        result.update(benchmarks.memory_growth(corpus, tuple(int(n) for n in sizes.split(",") if n.strip()), options))
    click.echo(json.dumps(result) if as_json else benchmarks.render(result))
