"""The learning-path notebooks (notebooks/ko, notebooks/en) run top to bottom and show what they promise.

Every notebook whose test is selected is executed in a fresh kernel of this interpreter (nbclient), two at a time. Then:
no cell errored; every cell tagged ``image`` produced a picture (PNG or SVG); the learner's blank
answers make the checker print NOT YET for each exercise (so the checker can fail) and the reference
solutions make it print CORRECT for each; the stored notebooks carry their outputs and were built from
the current lesson sources in notebooks/lessons/ (rebuild with ``python notebooks/build.py``).
"""

from __future__ import annotations

import asyncio
import copy
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook extra is not installed (pip install -e '.[notebook]')")
nbclient = pytest.importorskip("nbclient", reason="the notebook extra is not installed (pip install -e '.[notebook]')")
pytest.importorskip("ipykernel", reason="the notebook extra is not installed (pip install -e '.[notebook]')")
from nbclient.exceptions import CellExecutionError, DeadKernelError  # noqa: E402  (after the skips above)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
import build  # noqa: E402  (notebooks/build.py, put on the path just above)

LANGS = ("ko", "en")
NAMES = build.lesson_names()
CASES = [(name, lang) for name in NAMES for lang in LANGS]
PICTURES = ("image/png", "image/svg+xml")
PARALLEL = 2


def stored(name: str, lang: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / lang / f"{name}.ipynb", as_version=4)


async def _execute_all(cases: list[tuple[str, str]]) -> dict[tuple[str, str], object]:
    """Execute these stored notebooks (outputs cleared) with at most PARALLEL kernels at once."""
    gate = asyncio.Semaphore(PARALLEL)

    async def one(name: str, lang: str) -> object:
        nb = copy.deepcopy(stored(name, lang))
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        client = nbclient.NotebookClient(
            nb, timeout=120, kernel_name=build.KERNEL, resources={"metadata": {"path": str(NOTEBOOKS / lang)}}
        )
        async with gate:
            try:
                await client.async_execute()
            except (CellExecutionError, DeadKernelError, TimeoutError, RuntimeError) as error:
                return error  # reported by the test of this notebook, so the others still run
        return nb

    results = await asyncio.gather(*(one(n, lang) for n, lang in cases))
    return dict(zip(cases, results))


@pytest.fixture(scope="module")
def executed(request: pytest.FixtureRequest) -> dict[tuple[str, str], object]:
    """The notebooks of the selected tests only, so ``-k 09`` runs two kernels, not sixteen."""
    selected = {
        (item.callspec.params["name"], item.callspec.params["lang"])
        for item in request.session.items
        if "executed" in getattr(item, "fixturenames", ()) and hasattr(item, "callspec")
    }
    return asyncio.run(_execute_all([case for case in CASES if case in selected]))


def _text(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _tagged(nb: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code" and tag in c.metadata.get("tags", [])]


def test_both_languages_have_every_lesson() -> None:
    for lang in LANGS:
        assert sorted(p.stem for p in (NOTEBOOKS / lang).glob("*.ipynb")) == NAMES, lang
    assert len(NAMES) >= 8


@pytest.mark.parametrize("name,lang", CASES)
def test_stored_notebook_is_built_from_its_lesson_with_outputs(name: str, lang: str) -> None:
    nb = stored(name, lang)
    fresh = build.make_notebook(name, lang)
    assert [(c.cell_type, c.source) for c in nb.cells] == [(c.cell_type, c.source) for c in fresh.cells], (
        f"notebooks/{lang}/{name}.ipynb is not what notebooks/lessons/{name}.py makes: run python notebooks/build.py {name[:2]}"
    )
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code_cells), "stored without running every cell"
    for cell in _tagged(nb, "image"):
        assert any(k in o.get("data", {}) for o in cell.outputs for k in PICTURES), cell.source[:80]


@pytest.mark.parametrize("name,lang", CASES)
def test_notebook_runs_and_shows_its_pictures_and_checks(executed: dict, name: str, lang: str) -> None:
    nb = executed[(name, lang)]
    if isinstance(nb, Exception):
        pytest.fail(f"notebooks/{lang}/{name}.ipynb failed to execute: {nb}")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0].get("evalue")

    images = _tagged(nb, "image")
    assert images, "a lesson shows at least one picture"
    for cell in images:
        assert any(k in o.get("data", {}) for o in cell.outputs for k in PICTURES), cell.source[:80]

    (empty,) = _tagged(nb, "check-empty")
    (solved,) = _tagged(nb, "check-solution")
    empty_lines = _text(empty).splitlines()
    solved_lines = _text(solved).splitlines()
    assert len(empty_lines) == len(solved_lines) >= 2, (empty_lines, solved_lines)
    assert all("NOT YET" in line for line in empty_lines), empty_lines
    assert all("CORRECT" in line and "NOT YET" not in line for line in solved_lines), solved_lines
