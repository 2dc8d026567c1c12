"""One figure per line, the format `make bench` promises."""

from __future__ import annotations

import json
import statistics


def emit(name: str, value: float, unit: str, target: str, **extra: object) -> None:
    print(
        json.dumps(
            {"name": name, "value": round(value, 3), "unit": unit, "target": target, **extra}
        ),
        flush=True,
    )


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile: with 2,000 samples p99 is the 20th slowest."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(samples: list[float]) -> float:
    return statistics.median(samples)
