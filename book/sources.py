"""Every link to another site, where the book cites it, and when it was last checked.

`docs/data/sources.json` maps each URL to a title and the date it was checked (`null`:
cited from the references the book was written from, not checked again). The tests
keep it in step with the pages: a new link needs an entry, a removed one loses it.
`[[sources]]` on a page lists them all (book/hooks.py).
"""

import json
import re
from pathlib import Path

from book import DOCS, ROOT, SNIPPETS
from book.downloads import page_title
from book.words import docs_dir, say

SOURCES = DOCS / "data" / "sources.json"
URL = re.compile(r"https?://[^\s)>\"`\]]+")
EXERCISES = ROOT / "includes" / "exercises"


def load() -> dict[str, dict]:
    return json.loads(SOURCES.read_text())


def citing_files() -> list[tuple[str, Path]]:
    """Where a reader meets each file's links: a page, or the program itself."""
    files = [(p.name, p) for p in sorted(DOCS.glob("*.md"))]
    files += [(p.name, p) for p in sorted(EXERCISES.glob("*.md"))]  # appended to that page
    files.append(("glossary.md", ROOT / "includes" / "glossary.md"))
    return files + [(f"snippets/{p.name}", p) for p in sorted(SNIPPETS.glob("*.py"))]


def external_links() -> dict[str, list[str]]:
    """Every URL of another site, with the pages (or programs) that cite it."""
    cited: dict[str, list[str]] = {}
    for where, path in citing_files():
        for url in URL.findall(path.read_text()):
            pages = cited.setdefault(url.rstrip(".,;:"), [])
            if where not in pages:
                pages.append(where)
    return cited


def listing() -> str:
    sources, cited = load(), external_links()
    rows = [say("| Source | Cited in | Checked |"), "|:---|:---|:---|"]
    for url, entry in sorted(sources.items(), key=lambda item: item[1]["title"].lower()):
        pages = ", ".join(
            f"[{page_title((docs_dir() / p).read_text())}]({p})" if p.endswith(".md") else f"`{p}`"
            for p in sorted(cited[url])
        )
        checked = entry["checked"] or say("not checked again")
        rows.append(f"| [{entry['title']}]({url}) | {pages} | {checked} |")
    return "\n".join(rows)
