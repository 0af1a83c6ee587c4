"""Percentiles and the printed tables."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .search import ShapeRun

#: The aims the tables are read against (docs/benchmarks.md).
AIM_P95_MS = 100.0
AIM_APP_RAW = 1.5
AIM_SCALE = 2.0


@dataclass(frozen=True)
class Summary:
    p50: float
    p95: float
    max: float
    per_second: float


@dataclass(frozen=True)
class ScaleRun:
    listings: int
    database: str
    version: str
    queries: int
    runs: list[ShapeRun]


def summarize(seconds: list[float]) -> Summary:
    milliseconds = sorted(s * 1000 for s in seconds)
    if len(milliseconds) > 1:
        cuts = statistics.quantiles(milliseconds, n=100, method="inclusive")
        p50, p95 = cuts[49], cuts[94]
    else:
        p50 = p95 = milliseconds[0]
    return Summary(p50, p95, milliseconds[-1], len(seconds) / sum(seconds))


def _row(label: str, way: str, summary: Summary, extra: str = "") -> str:
    return (
        f"{label:<40} {way:<4} {summary.p50:>8.2f} {summary.p95:>8.2f} {summary.max:>8.2f}"
        f" {summary.per_second:>8.1f}{extra}"
    )


def print_scale(scale: ScaleRun) -> None:
    print()
    print(
        f"== search: {scale.listings:,} listings, {scale.database} ({scale.version}),"
        f" {scale.queries} queries per shape =="
    )
    print(
        f"{'shape':<40} {'way':<4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'q/s':>8}"
        f" {'app/raw p95':>12} {'mean results':>13}"
    )
    for run in scale.runs:
        app, baseline = summarize(run.app), summarize(run.raw)
        results = statistics.fmean(run.totals)
        label = f"{run.shape.key} {run.shape.label}"
        print(_row(label, "app", app, f" {app.p95 / baseline.p95:>12.2f} {results:>13.1f}"))
        print(_row("", "raw", baseline))
        if run.mismatches:
            print(f"WARNING shape {run.shape.key}: {run.mismatches} queries differ from raw")


def print_scale_ratios(scales: list[ScaleRun]) -> None:
    """p95 of each later scale against the smallest one, per shape and way."""
    first = scales[0]
    for later in scales[1:]:
        print()
        print(
            f"== p95 at {later.listings:,} vs {first.listings:,} listings, {first.database}"
            f" (aims: p95 < {AIM_P95_MS:g} ms, app/raw < {AIM_APP_RAW:g},"
            f" growth <= {AIM_SCALE:g}x) =="
        )
        print(
            f"{'shape':<40} {'way':<4} {'small ms':>9} {'large ms':>9} {'growth':>7}  aims missed"
        )
        for small, large in zip(first.runs, later.runs, strict=True):
            _print_ratio_rows(small, large)


def _print_ratio_rows(small: ShapeRun, large: ShapeRun) -> None:
    label = f"{small.shape.key} {small.shape.label}"
    for way in ("app", "raw"):
        before = summarize(getattr(small, way)).p95
        after = summarize(getattr(large, way)).p95
        missed = _missed(large, after / before) if way == "app" else ""
        print(
            f"{label:<40} {way:<4} {before:>9.2f} {after:>9.2f} {after / before:>6.2f}x  {missed}"
        )
        label = ""


def _missed(large: ShapeRun, growth: float) -> str:
    app, baseline = summarize(large.app).p95, summarize(large.raw).p95
    missed = []
    if app >= AIM_P95_MS:
        missed.append("p95")
    if app / baseline >= AIM_APP_RAW:
        missed.append("app/raw")
    if growth > AIM_SCALE:
        missed.append("growth")
    return ", ".join(missed) or "-"
