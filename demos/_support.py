"""What every demo needs besides its lesson: the command line, pictures, checks.

Kept here so that each demo file shows data, model, loop and printout, and
nothing else:

* ``parser(doc)`` / ``parse(...)``: the options every demo shares (``--seed``,
  ``--out``, ``--lang``) and the checks argparse does not do, all made before
  any work starts (a bad value: one line on stderr, exit code 2);
* ``pyplot()`` / ``save_figure``: matplotlib when it is installed (the
  ``demos`` extra), written through the library's one atomic writer;
* ``finite_or_exit``: a NaN/inf result is reported and the demo exits 1;
* ``say(args, english, korean)``: the printout in the language asked for;
* ``blas_threads(1)``: one BLAS thread while training. Matrices this small gain
  little from threads, and on a busy machine BLAS threads waiting for a core
  made training 4-9x slower (measured on 2 shared cores).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import math
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from autograd_mlp.files import atomic_write, check_writable_path

# Exit code of a run whose result came out NaN or inf (argparse uses 2 for bad options).
NOT_FINITE_EXIT = 1
CJK_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Malgun Gothic", "AppleGothic", "UnDotum")


class DemoParser(argparse.ArgumentParser):
    """argparse, with every mistake reported as one line on stderr (exit code 2)."""

    def error(self, message: str) -> Any:  # argparse's own prints the whole usage first
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parser(doc: str | None, *, out: str | None = "out", seed: bool = True, lang: bool = False) -> DemoParser:
    """A DemoParser with the demo's docstring and the shared options.

    ``out``: the default output folder (None: no ``--out``); ``seed``: add ``--seed``;
    ``lang``: add ``--lang en|ko`` (for demos that print or plot in Korean).
    """
    p = DemoParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if seed:
        p.add_argument("--seed", type=int, default=0, help="seed of every random draw (default 0)")
    if out is not None:
        p.add_argument("--out", type=Path, default=Path(out), help=f"folder for the pictures (default {out}/)")
    if lang:
        p.add_argument("--lang", choices=("en", "ko"), default="en", help="language of the printout and plots (en, ko)")
    return p


def parse(
    p: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    *,
    at_least: dict[str, float] | None = None,
    positive: Iterable[str] = (),
    probability: Iterable[str] = (),
) -> argparse.Namespace:
    """Parse ``argv`` and check every value before any work (``p.error``: one line, exit 2).

    ``at_least={"epochs": 1}``: "--epochs must be at least 1"; ``positive=("lr",)``:
    a finite number > 0 (so ``--lr nan`` and ``--lr inf`` are refused);
    ``probability=("dropout",)``: in [0, 1). ``--seed`` must be >= 0 and
    ``--out`` a folder that exists and is writable, or can be made.
    """
    args = p.parse_args(argv)
    if getattr(args, "seed", None) is not None and args.seed < 0:
        p.error(f"--seed must be >= 0, got {args.seed}")
    for name, low in (at_least or {}).items():
        value = getattr(args, name.replace("-", "_"))
        if value is not None and not value >= low:
            p.error(f"--{name} must be at least {low:g}, got {value}")
    for name in positive:
        value = getattr(args, name.replace("-", "_"))
        if value is not None and not (math.isfinite(value) and value > 0):
            p.error(f"--{name} must be a finite number > 0, got {value}")
    for name in probability:
        value = getattr(args, name.replace("-", "_"))
        if not 0 <= value < 1:  # NaN fails too
            p.error(f"--{name} must be in [0, 1), got {value}")
    if getattr(args, "out", None) is not None:
        try:
            args.out = output_folder(args.out)
        except OSError as error:
            p.error(str(error))
    return args


def output_folder(folder: Path) -> Path:
    """``folder``, made if missing, after checking it is (or can be) a writable folder.

    Raises NotADirectoryError / PermissionError naming the folder the user gave.
    """
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"--out {str(folder)!r} is a file; give a folder")
    existing = folder
    while not existing.exists():  # the nearest existing ancestor is where the new folders go
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f"--out {str(folder)!r}: {str(existing)!r} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"--out {str(folder)!r}: the folder {str(existing)!r} is not writable")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def finite_or_exit(prog: str, **numbers: float) -> int:
    """0 when every number is finite; else one line on stderr naming it, and ``NOT_FINITE_EXIT``."""
    for name, value in numbers.items():
        if not math.isfinite(value):
            print(f"{prog}: the {name} came out {value}: training diverged (try a smaller --lr)", file=sys.stderr)
            return NOT_FINITE_EXIT
    return 0


def say(args: argparse.Namespace, english: str, korean: str) -> str:
    """The text in the language of ``--lang``."""
    return korean if getattr(args, "lang", "en") == "ko" else english


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


def korean_font(plt: Any) -> bool:
    """Select an installed CJK font for Korean labels; False (and a note) when there is none.

    Without one, Korean labels would be drawn as empty boxes, so the plots keep English.
    """
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            plt.rcParams["font.family"] = name
            plt.rcParams["axes.unicode_minus"] = False
            return True
    print("note: no Korean (CJK) font installed: plot labels stay in English (e.g. apt install fonts-noto-cjk)")
    return False


def label(plt: Any, lang: str, english: str, korean: str) -> str:
    """A plot label in Korean when asked for and a CJK font is available, else English."""
    if lang != "ko":
        return english
    if not hasattr(plt, "_autograd_mlp_korean"):
        plt._autograd_mlp_korean = korean_font(plt)
    return korean if plt._autograd_mlp_korean else english


def save_figure(fig: Any, path: Path, dpi: int = 120) -> Path:
    """Write ``fig`` to ``path`` (PNG) through the library's atomic writer, then close it."""
    import matplotlib.pyplot as plt

    path = check_writable_path(path, what="picture")
    try:
        with atomic_write(path) as f:
            fig.savefig(f, format=path.suffix.lstrip(".") or "png", dpi=dpi)
    finally:
        plt.close(fig)
    return path


def check_options(
    parser: Any,
    args: Any,
    *,
    at_least: dict[str, float] | None = None,
    positive: tuple[str, ...] = (),
) -> None:
    """Older form of the checks in ``parse`` for demos that parse themselves."""
    for name, low in (at_least or {}).items():
        value = getattr(args, name.replace("-", "_"))
        if value is not None and not value >= low:
            parser.error(f"--{name} must be " + (">= 0" if low == 0 else f"at least {low}"))
    for name in positive:
        value = getattr(args, name.replace("-", "_"))
        if not (math.isfinite(value) and value > 0):
            parser.error(f"--{name} must be positive")


# (getter, setter) names in OpenBLAS builds: plain, 64-bit-integer, and the
# scipy-openblas build that numpy's wheels bundle.
_OPENBLAS_THREAD_FUNCTIONS = (
    ("openblas_get_num_threads", "openblas_set_num_threads"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
)


def _loaded_openblas() -> list[tuple[Any, Any]]:
    """(get, set) thread-count functions of every OpenBLAS this process has loaded (Linux only)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return []
    paths = sorted({line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower() and "/" in line})
    found = []
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in _OPENBLAS_THREAD_FUNCTIONS:
            if hasattr(library, get_name) and hasattr(library, set_name):
                found.append((getattr(library, get_name), getattr(library, set_name)))
                break
    return found


@contextlib.contextmanager
def blas_threads(count: int) -> Iterator[None]:
    """Run the block with BLAS limited to ``count`` threads (0: unchanged), then restore the previous count.

    Best effort: threadpoolctl when installed, else OpenBLAS's setter, else nothing.
    """
    if count < 1:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        with threadpool_limits(limits=count, user_api="blas"):
            yield
        return
    libraries = _loaded_openblas()
    previous = [get() for get, _ in libraries]
    for _, set_threads in libraries:
        set_threads(count)
    try:
        yield
    finally:
        for (_, set_threads), n in zip(libraries, previous):
            set_threads(n)
