"""Write the learning-path notebooks in Korean and English, execute them, save them with their outputs.

    .venv/bin/python notebooks/build.py          # every lesson, both languages
    .venv/bin/python notebooks/build.py 03 05    # the lessons whose names start with 03 or 05

Each lesson is one module in notebooks/lessons/ (``NN_name.py``) holding its cells in both languages;
this script writes notebooks/ko/NN_name.ipynb and notebooks/en/NN_name.ipynb from it, runs them top to
bottom in a fresh kernel (working directory: the notebook's folder) and stores the outputs, so the
notebooks read on GitHub without being run. Needs the ``notebook`` extra (nbformat, nbclient, ipykernel).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from types import ModuleType

import nbformat
from nbclient import NotebookClient

from autograd_mlp.files import write_text

HERE = Path(__file__).resolve().parent
LESSONS = HERE / "lessons"
sys.path.insert(0, str(LESSONS))

from cells import LANGS  # noqa: E402  (lessons/ is put on the path just above)

# The kernels inherit this: one BLAS thread, because on a busy 2-core machine a second OpenBLAS
# thread made lesson 08's small matrix products 30x slower (129 s against 4.4 s for its training loop).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

KERNEL = "python3"
TIMEOUT = 120  # seconds per cell; a lesson takes well under 60 s in all


def lesson_names() -> list[str]:
    """Lesson modules in path order: 01_..., 02_..., ..."""
    return sorted(p.stem for p in LESSONS.glob("[0-9][0-9]_*.py"))


def load_lesson(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"lesson_{name}", LESSONS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_notebook(name: str, lang: str) -> nbformat.NotebookNode:
    """The notebook of lesson ``name`` in ``lang``, not executed."""
    lesson = load_lesson(name)
    cells = []
    for cell in lesson.CELLS:
        source = cell.text[lang]
        if cell.kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            node = nbformat.v4.new_code_cell(source)
            if cell.tags:
                node.metadata["tags"] = list(cell.tags)
            cells.append(node)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    # Cell ids derived from the position, so rebuilding an unchanged lesson gives the same file.
    for i, node in enumerate(nb.cells):
        node["id"] = f"{name[:2]}-{i:03d}"
    return nb


def execute(nb: nbformat.NotebookNode, folder: Path, timeout: int = TIMEOUT) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel of this interpreter, in ``folder``; raises on the first error."""
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(folder)}},
        record_timing=False,  # no timestamps in the stored files: a rebuild changes only what changed
    )
    client.execute()
    return nb


def build(name: str, lang: str) -> Path:
    folder = HERE / lang
    nb = execute(make_notebook(name, lang), folder)
    return write_text(folder / f"{name}.ipynb", nbformat.writes(nb) + "\n")


def main(argv: list[str]) -> int:
    names = lesson_names()
    chosen = [n for n in names if not argv or any(n.startswith(a) for a in argv)]
    if not chosen:
        print(f"build.py: no lesson starts with {' or '.join(argv)}; lessons: {', '.join(names)}", file=sys.stderr)
        return 2
    for name in chosen:
        for lang in LANGS:
            start = time.perf_counter()
            path = build(name, lang)
            print(f"{path.relative_to(HERE.parent)}  {time.perf_counter() - start:5.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
