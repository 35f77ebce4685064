"""The machinery behind the book: claims, results, code-block extraction, site hooks.

Nothing here is shown to readers; the code they copy lives in `snippets/`.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
# The editions, by language: their pages and their configuration (book/words.py).
EDITIONS = {
    "en": (DOCS, ROOT / "mkdocs.yml"),
    "zh": (ROOT / "docs-zh", ROOT / "mkdocs.zh.yml"),
}
RESULTS = DOCS / "data" / "results.json"
# A reader's own figures (`python -m book.results --local`): git-ignored, outside docs/ so
# that no build copies it; BOOK_LOCAL_RESULTS points elsewhere (the tests use it).
LOCAL_RESULTS = Path(os.environ.get("BOOK_LOCAL_RESULTS", ROOT / "results.local.json"))

# The snippets import each other by module name (`from timing import compare`), as they
# do when a reader runs `python snippets/<file>.py`.
if str(SNIPPETS) not in sys.path:
    sys.path.insert(0, str(SNIPPETS))
