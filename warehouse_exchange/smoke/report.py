"""The smoke run's printout: requests and latency per kind, then every check."""

from __future__ import annotations

from statistics import quantiles

from .chaos import Chaos
from .checks import Check
from .http import Tally


def _percentile(values: list[float], share: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return quantiles(values, n=100, method="inclusive")[share - 1]


def print_report(
    tally: Tally, chaos: Chaos, checks: list[Check], released: int, wall: float, seconds: float
) -> None:
    print(f"Scale-out smoke run: {seconds:g} s of traffic at two instances, {wall:.0f} s in all")
    print(f"faults: {chaos.workers_killed} web workers and {chaos.schedulers_killed} scheduler"
          f" killed with SIGKILL; {tally.dropped()} requests lost their connection")  # fmt: skip
    print(f"{'kind':<16}{'requests':>9}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}  statuses")
    for kind in sorted(tally.latencies):
        values = tally.latencies[kind]
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses[kind].items()))
        print(f"{kind:<16}{len(values):>9}{len(values) / seconds:>8.1f}"
              f"{_percentile(values, 50) * 1000:>9.1f}{_percentile(values, 95) * 1000:>9.1f}"
              f"  {statuses}")  # fmt: skip
    print(f"releases posted during the run: {released}")
    for (kind, status), body in sorted(tally.refusals.items()):
        print(f"first {status} of {kind}: {body.strip()}")
    for check in checks:
        print(f"{'ok  ' if check.holds else 'FAIL'} {check.name}: {check.figure}")
    broken = [check for check in checks if not check.holds]
    print(f"{len(broken)} of {len(checks)} checks broken" if broken else "every check holds")
