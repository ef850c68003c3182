"""Run every benchmark and print one table of medians and ratios.

    python benchmarks/run.py                 # full run (several minutes)
    python benchmarks/run.py --quick         # tiny configuration (smoke test)
    python benchmarks/run.py --only scalar   # one group: scalar, tensor, delta_rule
    python benchmarks/run.py --json out.json # also write the results as JSON
    python benchmarks/run.py --runs 3        # each target: the median of 3 runs, and their range

Install the reference packages first: pip install -e ".[bench]"
(micrograd 0.1.0 and PyTorch's CPU wheel 2.13.0; columns whose reference is
missing are marked 'skip'). Every ratio compares against a reference timed in
this same process, so it does not depend on how busy the machine is.

Each group of each run starts in a fresh Python process: what one group
imports must not tax the next. Importing PyTorch (the tensor group's
reference) adds about 140,000 objects for the cyclic collector, and each of
its full passes during a scalar step then costs about 180 ms instead of 20:
in one process the scalar rows measured the collector walking PyTorch's
modules (the unfused moons row read 12.2x before the first import of torch,
5.6x and 6.1x after it, on the same code).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, environment_note, prepare_process

from autograd_mlp.files import write_text

GROUPS = ("scalar", "tensor", "delta_rule", "replay")


def median_run(rows: tuple) -> object:
    """The run whose ratio is the median for one benchmark, with the range over all runs noted.

    A verdict only moves one way with its ratio, so the median run's verdict is
    the verdict of the median ratio (for an odd number of runs).
    """
    if len(rows) == 1 or any(r.ratio is None for r in rows):
        return rows[0]
    ordered = sorted(rows, key=lambda r: r.ratio)
    chosen = ordered[len(ordered) // 2]
    chosen.measured += f" [runs: {ordered[0].ratio:.2f}..{ordered[-1].ratio:.2f}]"
    chosen.detail = {**chosen.detail, "ratios_over_runs": [r.ratio for r in rows]}
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the scripts run, not the targets")
    parser.add_argument("--only", choices=GROUPS, action="append", help="run only these groups")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--runs", type=int, default=1,
                        help="repeat everything N times and report each target's median run (default 1)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads for every library (default 1; 0 = each library's default)")
    parser.add_argument("--group-json", type=Path, help=argparse.SUPPRESS)  # a child: one group, once
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not args.quick:
        prepare_process(sys.argv, args.threads)
    if args.group_json is not None:
        return run_group_here(args.only[0], args.quick, args.group_json)

    runs: list[list] = []
    started = time.perf_counter()
    for run in range(args.runs):
        results = []
        for group in args.only or GROUPS:
            print(f"run {run + 1}/{args.runs}: {group} ...", file=sys.stderr, flush=True)
            results.extend(run_group_in_child(group, args.quick))
        runs.append(results)
    results = [median_run(rows) for rows in zip(*runs)]
    note = environment_note()
    spread = f"; median of {args.runs} runs, with the range over runs" if args.runs > 1 else ""
    print(f"\nautograd_mlp benchmarks ({'quick' if args.quick else 'full'}{spread}); {note}")
    print(f"{'benchmark':<44} {'ratio':>7}  {'target':<28} verdict  measured")
    for r in results:
        print(r.row())
    failed = [r for r in results if r.passed is False]
    print(f"\n{sum(r.passed is True for r in results)} targets met, {len(failed)} missed, "
          f"{sum(r.passed is None for r in results)} skipped, in {time.perf_counter() - started:.0f} s")
    if args.json:
        payload = {"environment": note, "quick": args.quick, "results": [r.as_dict() for r in results],
                   "commit": os.popen("git rev-parse --short HEAD 2>/dev/null").read().strip()}
        write_text(args.json, json.dumps(payload, indent=2))
    return 0 if args.quick or not failed else 1


def run_group_here(group: str, quick: bool, out: Path) -> int:
    """The child's side: run one group in this process and write its results as JSON."""
    import importlib

    module = importlib.import_module(f"bench_{group}")
    write_text(out, json.dumps([r.as_dict() for r in module.run(quick=quick)]))
    return 0


def run_group_in_child(group: str, quick: bool) -> list[Result]:
    """One group in a fresh interpreter (same environment: the threads and BLAS settings are inherited)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "results.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--only", group, "--group-json", str(out)]
        done = subprocess.run(command + (["--quick"] if quick else []), check=False)
        if done.returncode != 0 or not out.is_file():
            raise SystemExit(f"run.py: the {group} group failed (exit code {done.returncode})")
        return [Result(**row) for row in json.loads(out.read_text())]


if __name__ == "__main__":
    sys.exit(main())
