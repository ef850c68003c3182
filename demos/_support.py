"""What every demo needs for its pictures: matplotlib when it is there, and safe saving.

matplotlib is an optional extra (pip install -e ".[demos]"): without it the
demos still train and print their numbers, and say in one line why no
picture was drawn.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def pyplot() -> Any | None:
    """``matplotlib.pyplot`` on the file-only Agg backend, or None (with a one-line hint)."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no window, no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install -e '.[demos]')")
        return None
    return plt


def save_figure(fig: Any, path: Path, dpi: int = 120) -> Path:
    """Write ``fig`` to ``path`` atomically (a temp file, then a rename) and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}{path.suffix}")
    try:
        fig.savefig(tmp, dpi=dpi)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
    return path


def check_options(
    parser: Any,
    args: Any,
    *,
    at_least: dict[str, float] | None = None,
    positive: tuple[str, ...] = (),
) -> None:
    """Refuse out-of-range options the argparse way (usage line, exit code 2).

    ``at_least={"epochs": 1, "seed": 0}`` -> "--epochs must be at least 1",
    "--seed must be >= 0"; ``positive=("lr",)`` -> "--lr must be positive"
    (NaN included). Option names are given as on the command line.
    """
    for name, low in (at_least or {}).items():
        value = getattr(args, name.replace("-", "_"))
        if value is not None and not value >= low:
            parser.error(f"--{name} must be " + (">= 0" if low == 0 else f"at least {low}"))
    for name in positive:
        if not getattr(args, name.replace("-", "_")) > 0:
            parser.error(f"--{name} must be positive")
