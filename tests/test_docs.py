"""Every code example in docs/ runs, and prints what the page says it prints.

Pages with a ```python block followed by a ```text block show real output; a
```console block shows commands and their output. See tests/doccheck.py.
"""

from pathlib import Path

import pytest
from doccheck import check_page

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "demos" not in p.parts)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_examples_print_what_the_page_shows(page):
    problems = check_page(str(page))
    assert not problems, "\n\n".join(problems)
