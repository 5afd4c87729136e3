"""Counting benchmark: pbbot next to pabutools on the shared Pabulib files.

For every approval file and two counts (greedy by votes; Equal Shares with
the per-voter add1 completion) each tool runs in its own subprocess, so that
peak memory (max RSS) is its own and a slow pabutools run can be killed after
`--timeout` seconds. Time covers reading the file and counting, not starting
Python. Each subprocess computes on one core: numpy's BLAS threads are limited
to one (pbbot's count calls no BLAS, but a library could). With `--repeat N`
each tool runs N times and the fastest run counts (a run that times out is not
repeated). Winners must be identical wherever pabutools finishes.

    PYTHONPATH=src python bench/bench_counting.py [--timeout 120] [--repeat N]
        [--only NAME ...] [--counts greedy equal-shares]

The files are read from ../shared/data/pabulib beside the repository, or from
$PBBOT_PABULIB_DIR.

Prints a Markdown table (the one in BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(
    os.environ.get("PBBOT_PABULIB_DIR")
    or Path(__file__).resolve().parents[2] / "shared" / "data" / "pabulib"
)
COUNTS = ("greedy", "equal-shares")


def _pbbot(path: str, count: str) -> list[str]:
    from pbbot.counting.equal_shares import equal_shares_add1
    from pbbot.counting.greedy import greedy
    from pbbot.counting.pabulib import read_pabulib

    election = read_pabulib(path)
    outcome = greedy(election) if count == "greedy" else equal_shares_add1(election)
    return list(outcome.selected)


def _pabutools(path: str, count: str) -> list[str]:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    instance, profile = parse_pabulib(path)
    if count == "greedy":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
        # pabutools funds projects nobody chose when they fit; pbbot (like a city) does not.
        chosen = {p for ballot in profile for p in ballot}
        return [p.name for p in outcome if p in chosen]
    outcome = exhaustion_by_budget_increase(
        instance,
        profile,
        method_of_equal_shares,
        {"sat_class": Cost_Sat},
        budget_step=len(profile),
        exhaustive_stop=False,
    )
    return [p.name for p in outcome]


def _worker(tool: str, path: str, count: str) -> None:
    # Libraries load before the clock starts: the benchmark times reading and counting.
    if tool == "pbbot":
        import pbbot.counting.equal_shares
        import pbbot.counting.pabulib  # noqa: F401
    else:
        import pabutools.election
        import pabutools.rules  # noqa: F401
    start = time.perf_counter()
    winners = (_pbbot if tool == "pbbot" else _pabutools)(path, count)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "peak": peak, "winners": sorted(winners)}))


_ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def _measure(
    tool: str, path: Path, count: str, timeout: float, repeat: int
) -> dict[str, object] | None:
    """The fastest of `repeat` runs, or None when a run takes longer than `timeout`."""
    command = [sys.executable, __file__, "--worker", tool, str(path), count]
    fastest: dict[str, object] | None = None
    for _ in range(repeat):
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=True,
                env={**os.environ, **_ONE_THREAD},
            )
        except subprocess.TimeoutExpired:
            return None
        result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
        if fastest is None or float(result["seconds"]) < float(fastest["seconds"]):  # type: ignore[arg-type]
            fastest = result
    return fastest


def _seconds(value: object) -> str:
    seconds = float(value)  # type: ignore[arg-type]
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def _mib(value: object) -> str:
    return f"{int(value) / 2**20:.0f} MiB"  # type: ignore[call-overload]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the fastest counts")
    parser.add_argument("--only", nargs="*", help="file names (default: every approval file)")
    parser.add_argument("--counts", nargs="*", choices=COUNTS, default=list(COUNTS))
    parser.add_argument(
        "--worker", nargs=3, metavar=("TOOL", "FILE", "COUNT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return 0

    files = [p for p in sorted(DATA.glob("*.pb")) if "vote_type;approval" in p.read_text("utf-8")]
    if args.only:
        files = [p for p in files if p.name in args.only]
    print(
        "| file | count | pbbot time | pbbot peak | pabutools time | pabutools peak "
        "| speed-up | winners |"
    )
    print("|---|---|---|---|---|---|---|---|")
    identical = True
    for path in files:
        for count in args.counts:
            ours = _measure("pbbot", path, count, args.timeout, args.repeat)
            assert ours is not None, f"pbbot took over {args.timeout} s on {path.name}"
            theirs = _measure("pabutools", path, count, args.timeout, args.repeat)
            if theirs is None:
                their_time, their_peak, ratio, same = f"> {args.timeout:.0f} s", "-", "-", "-"
            else:
                their_time = _seconds(theirs["seconds"])
                their_peak = _mib(theirs["peak"])
                ratio = f"{float(theirs['seconds']) / float(ours['seconds']):.0f}x"  # type: ignore[arg-type]
                same = "identical" if theirs["winners"] == ours["winners"] else "DIFFERENT"
                identical &= same == "identical"
            print(
                f"| {path.stem} | {count} | {_seconds(ours['seconds'])} | {_mib(ours['peak'])} "
                f"| {their_time} | {their_peak} | {ratio} | {same} |",
                flush=True,
            )
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
