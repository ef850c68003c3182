"""The two kinds of cell a lesson is written in, each holding its Korean and English text.

A lesson module (``NN_name.py`` beside this file) defines ``TITLE = (ko, en)`` and ``CELLS``,
a list of `md` and `code` cells; ``notebooks/build.py`` turns it into one notebook per language.

Tags tell ``tests/test_notebooks.py`` what a code cell must show once executed:
  ``image``           an inline picture (PNG from matplotlib or SVG from graphviz);
  ``check-empty``     the learner's answers are still blank: the checker prints ``NOT YET``;
  ``check-solution``  the reference answers: the checker prints ``CORRECT`` for every exercise.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

LANGS = ("ko", "en")


@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" or "code"
    text: dict[str, str]  # language -> source
    tags: tuple[str, ...] = field(default=())


def md(ko: str, en: str) -> Cell:
    """A markdown cell, Korean first."""
    return Cell("markdown", {"ko": _dedent(ko), "en": _dedent(en)})


def code(src: str | None = None, *, ko: str | None = None, en: str | None = None, tags: tuple[str, ...] = ()) -> Cell:
    """A code cell: one source for both languages, or ``ko=`` / ``en=`` when comments or prints differ."""
    if src is not None:
        if ko is not None or en is not None:
            raise ValueError("code(): give either one source or ko= and en=, not both")
        ko = en = src
    if ko is None or en is None:
        raise ValueError("code(): needs a source, or both ko= and en=")
    return Cell("code", {"ko": _dedent(ko), "en": _dedent(en)}, tuple(tags))


def _dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n")
