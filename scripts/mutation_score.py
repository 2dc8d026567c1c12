"""Print the mutation score per module from what `mutmut run` left in mutants/ (`make mutate`).

A mutant is reached when at least one selected test runs its code; the score is the share of
reached mutants the tests kill (a timeout counts as killed: the mutant changed behaviour).
Exits 1 when a module scores under the floor, so a weakened test cannot pass unnoticed.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

# mutmut's exit codes (mutmut/stats.py): 1 and 3 a failing test run, 5 and 33 no test ran the
# code, 34 skipped, 36 and the signal codes a timeout, 37 rejected by the type checker.
KILLED = {1, 3, 36, -24, 24, 152, 255, 37}
NOT_REACHED = {5, 33, 34}
SURVIVED = {0}


@dataclass
class Score:
    made: int = 0
    reached: int = 0
    killed: int = 0
    survivors: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # not run yet, suspicious, segfault

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.reached if self.reached else 0.0


def scores(mutants: Path) -> dict[str, Score]:
    result: dict[str, Score] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = meta.relative_to(mutants).as_posix().removesuffix(".meta")
        codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))[
            "exit_code_by_key"
        ]
        score = result.setdefault(module, Score())
        for name, code in sorted(codes.items()):
            score.made += 1
            if code in NOT_REACHED:
                continue
            score.reached += 1
            if code in KILLED:
                score.killed += 1
            elif code in SURVIVED:
                score.survivors.append(name)
            else:
                score.other.append(f"{name} (exit code {code})")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    parser.add_argument("--floor", type=float, default=95.0, help="lowest score per module")
    args = parser.parse_args(argv)
    found = scores(args.mutants)
    if not found:
        print(f"no mutmut results in {args.mutants}/: run `make mutate`", file=sys.stderr)
        return 2
    print(f"{'module':<22} {'made':>5} {'reached':>8} {'killed':>7} {'score':>7}")
    low = []
    for module, s in found.items():
        print(f"{module:<22} {s.made:>5} {s.reached:>8} {s.killed:>7} {s.percent:>6.1f}%")
        if s.percent < args.floor:
            low.append(module)
    for s in found.values():
        for name in s.survivors:
            print(f"survived: {name}   (see it: mutmut show {name})")
        for name in s.other:
            print(f"not killed: {name}")
    if low:
        print(f"under {args.floor:.0f}%: {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
