"""The benchmark scripts stay runnable: each group in its tiny configuration.

These check that the scripts run and report every target, not the targets
themselves (timings on a shared machine belong in benchmarks/, not in tests).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("group", ["scalar", "tensor", "delta_rule"])
def test_benchmark_group_runs_in_quick_mode(group, tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only", group, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())["results"]
    assert results, "no result rows"
    for row in results:
        assert row["benchmark"] and row["target"]
        assert row["passed"] in (True, False, None)
        if row["passed"] is not None:
            assert isinstance(row["ratio"], (int, float))
    names = " ".join(r["benchmark"] for r in results)
    expected = {
        "scalar": ["moons step", "bytes per scalar graph node", "scalar training", "chain", "wide"],
        "tensor": ["784-256-128-10", "784-1568-10, batch 128", "784-1568-10, batch 1", "tensor training", "epoch"],
        "delta_rule": ["SGD", "batch", "mini-batch"],
    }[group]
    for word in expected:
        assert word in names, (word, names)
    assert "verdict" in done.stdout


def test_scaling_script_runs_in_quick_mode(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "scaling.png"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scaling.py"), "--quick", "--out", str(png)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "nodes" in done.stdout and "params" in done.stdout
