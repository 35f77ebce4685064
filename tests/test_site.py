"""The site builds strictly, runs its notebooks, and loads nothing from another host."""

import html
import json
import logging
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from mkdocs.config import load_config

from book import DOCS, EDITIONS, ROOT
from book.pdf import PDF_NAME

CONFIG = load_config(str(ROOT / "mkdocs.yml"))
# Attributes through which a page makes the browser fetch something by itself.
FETCHING = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "embed": "src",
    "object": "data",
}
LINK_FETCHES = {
    "stylesheet",
    "icon",
    "preload",
    "modulepreload",
    "prefetch",
    "manifest",
}
CSS_URL = re.compile(
    r"""url\(\s*['"]?((?:[a-z]+:)?//[^'")]+)|@import\s+['"]((?:[a-z]+:)?//[^'"]+)"""
)


class OffsiteReferences(HTMLParser):
    """Collect every URL on another host that a page would fetch on load."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        urls = []
        if tag in FETCHING:
            urls.append(attrs.get(FETCHING[tag]))
        if tag == "link" and set((attrs.get("rel") or "").split()) & LINK_FETCHES:
            urls.append(attrs.get("href"))
        urls += [m.group(1) or m.group(2) for m in CSS_URL.finditer(attrs.get("style") or "")]
        self.found += [url for url in urls if url and is_offsite(url)]
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.found += [m.group(1) or m.group(2) for m in CSS_URL.finditer(data)]


def is_offsite(url: str) -> bool:
    return bool(re.match(r"([a-z][a-z0-9+.-]*:)?//", url, re.I)) or url.startswith("about:")


def offsite_references(html: str) -> list[str]:
    parser = OffsiteReferences()
    parser.feed(html)
    return parser.found


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_the_offsite_check_catches_a_cdn():
    """The check below is not vacuous: each of these would make a request off the machine."""
    html = """
        <script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>
        <link rel="stylesheet" href="//fonts.googleapis.com/css?family=Roboto">
        <img src="http://example.com/a.png" alt="a">
        <style>@import "https://fonts.googleapis.com/css2";</style>
        <div style="background: url('https://example.com/b.png')"></div>
        <script src="assets/local.js"></script>
        <a href="https://github.com/">a link is not a request</a>
    """
    assert len(offsite_references(html)) == 5


def test_no_page_loads_anything_from_another_host(site):
    found = {
        page.relative_to(site).as_posix(): refs
        for page in pages(site)
        if (refs := offsite_references(page.read_text()))
    }
    assert found == {}


def test_no_stylesheet_loads_anything_from_another_host(site):
    found = {
        css.relative_to(site).as_posix(): [m.group(0) for m in CSS_URL.finditer(css.read_text())]
        for css in site.rglob("*.css")
    }
    assert {path: urls for path, urls in found.items() if urls} == {}


def test_math_is_mathml_and_no_tex_is_left(site):
    html = (site / "conventions" / "index.html").read_text()
    assert html.count("<math") >= 3
    for page in pages(site):
        text = page.read_text()
        assert 'class="arithmatex"' not in text, page
        assert "[[" not in re.sub(r"<(pre|code)\b.*?</\1>", "", text, flags=re.S), page


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_page_has_an_edit_link_and_the_copy_button_is_on(site, language):
    docs, config_file = EDITIONS[language]
    config = load_config(str(config_file))
    root = site if language == "en" else site / language
    edit = config["repo_url"].rstrip("/") + "/" + config["edit_uri"]
    for md in docs.rglob("*.md"):
        src = md.relative_to(docs).as_posix()
        page = root / (src[: -len(".md")] + "/index.html").removeprefix("index/")
        assert f'href="{edit}{src}"' in page.read_text(), src
    config = re.search(
        r'<script id="__config" type="application/json">(.*?)</script>',
        (site / "index.html").read_text(),
        re.S,
    )
    features = json.loads(config.group(1))["features"]
    assert {"content.code.copy", "content.code.annotate", "content.tabs.link"} <= set(features)


def test_notebook_page_shows_executed_outputs_and_offers_the_ipynb(site):
    page = (site / "notebooks" / "inner_products" / "index.html").read_text()
    assert "jp-OutputArea" in page and "32.0" in page
    # the timing experiment ran at build time: one line per length, 1 to 100,000
    assert len(re.findall(r"numbers: loop +[\d.]+ µs, np.dot +[\d.]+ µs", page)) == 6
    assert 'href="../inner_products.ipynb"' in page
    notebook = nbformat.read(site / "notebooks" / "inner_products.ipynb", as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["language"] == "python"
    chapter = (site / "inner-products" / "index.html").read_text()
    assert 'href="../notebooks/inner_products.ipynb"' in chapter


def test_measured_figures_are_shown_with_their_machine(site):
    """Each page with measured figures names its machine once in full, in a box under
    its question; every table says which machine and links to that box."""
    from book.hooks import machine_line

    results = json.loads((DOCS / "data" / "results.json").read_text())
    full = html.escape(machine_line(results), quote=False)
    for name in ("inner-products", "why-numpy-is-fast", "part2-choosing", "capstone"):
        chapter = (site / name / "index.html").read_text()
        text = re.sub(r"<[^>]+>", "", chapter)  # glossary terms are wrapped in <abbr>
        assert text.count(full) == 1, name  # the whole line once, in the box
        assert chapter.count('id="machine"') == 1, name
        assert chapter.index('id="machine"') < chapter.index("<table>"), name  # on top
        under_tables = chapter.count('([the machine](#machine))') + chapter.count(
            '(<a href="#machine">the machine</a>)'
        )
        markdown = (DOCS / f"{name}.md").read_text()
        measured = len(re.findall(r"\[\[(?:table:[\w-]+|claims)\]\]", markdown))
        assert under_tables == measured >= 1, name  # each table names it, links to the box
        cpu = html.escape(results["machine"]["cpu"], quote=False)
        # the box: its title and its line, then one under each table
        assert text.count(f"Measured on {cpu}") == under_tables + 2, name
    assert (site / "data" / "results.json").exists()


def test_notebooks_run_at_build_fail_on_error_and_are_never_cached():
    """mkdocs-jupyter's defaults would hide errors (allow_errors) and serve stale
    outputs (its cache ignores the code a notebook imports)."""
    plugin = CONFIG["plugins"]["mkdocs-jupyter"].config
    assert plugin["execute"] is True
    assert plugin["allow_errors"] is False
    assert plugin["cache"] is False
    assert plugin["include"] == ["notebooks/*.py"]  # other .py files are not pages


@pytest.mark.parametrize("edition", ["", "zh/"], ids=["en", "zh"])
def test_page_and_site_budgets(site, edition):
    """Each edition (the Chinese one is zh/ of the English) within its budget."""
    root = site / edition
    files = [
        path for path in root.rglob("*")
        if path.is_file() and not (edition == "" and path.is_relative_to(site / "zh"))
    ]
    heavy = {
        page.relative_to(root).as_posix(): page.stat().st_size
        for page in files
        if page.suffix == ".html" and page.stat().st_size > 300_000
    }
    assert heavy.pop("print_page/index.html") < 3_000_000  # the whole book, for the PDF
    assert heavy == {}
    sizes = {path.relative_to(root).as_posix(): path.stat().st_size for path in files}
    assert sizes.pop(PDF_NAME, 0) < 16_000_000  # the whole book, figures as vectors
    assert sum(sizes.values()) < 20_000_000
    # about 15 s, and 30 to 50 s more to run every chapter's notebook (two at a time),
    # the Chinese edition meanwhile (it takes the notebooks' outputs from that run)
    assert float((site / ".build-seconds").read_text()) < 120


def test_the_published_build_never_shows_local_figures(site):
    """A reader's results.local.json (the fixture writes one) stays out of `mkdocs build`."""
    from conftest import FAKE_MACHINE

    for page in site.rglob("*.html"):
        text = page.read_text()
        assert 'class="local-figure' not in text, page  # the hook's mark beside a figure
        assert "admonition local" not in text, page  # the hook's box under a table
        assert FAKE_MACHINE not in text, page
    assert not list(site.rglob("results.local.json"))


def test_a_small_figure_never_shows_as_zero():
    """A table cell too small for its column's decimals gets two significant digits."""
    from book.hooks import cell

    assert cell(0.00256, ".2f") == "0.0026"
    assert cell(-0.35, ".0f") == "-0.35"
    assert cell(12.345, ".1f") == "12.3"
    assert cell(0.0, ".1f") == "0.0"
    assert cell(float("nan"), ".1f") == "—"


FIGURE_IMAGE = re.compile(  # ![alt](figures/NAME-light.svg#only-light), alt on any lines
    r"!\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\((?:\.\./)*figures/([\w.-]+?)-(light|dark)\.svg"
    r"#only-(light|dark)\)"
)


def test_every_figure_is_shown_in_both_themes_with_one_alt_text():
    """Each SVG in docs/figures is on a page as its -light variant (#only-light) and its
    -dark one (#only-dark), the two with the same non-empty alt text: a figure drawn but
    never shown, shown in one theme only, or described differently for the two themes is
    caught. The pages are read as Markdown, without building the site."""
    shown: dict[tuple[str, str], set[tuple[str, str]]] = {}  # (name, theme) -> {(page, alt)}
    for page in DOCS.rglob("*.md"):
        for alt, name, variant, only in FIGURE_IMAGE.findall(page.read_text()):
            alt = " ".join(alt.split())
            if alt and variant == only:
                shown.setdefault((name, variant), set()).add((page.name, alt))
    names = {re.sub(r"-(light|dark)$", "", svg.stem) for svg in (DOCS / "figures").glob("*.svg")}
    unshown = sorted(
        name
        for name in names
        if not shown.get((name, "light"), set()) & shown.get((name, "dark"), set())
    )
    assert unshown == [], f"drawn, but no page shows both themes with one alt text: {unshown}"


def test_a_link_to_a_missing_page_or_heading_fails_the_strict_build(tmp_path):
    """mkdocs.yml's validation turns every unchecked link into a warning, and strict
    turns warnings into a failed build: shown on a two-page site with those settings."""
    for group, check in [("nav", "omitted_files"), ("nav", "not_found"),
                         ("links", "not_found"), ("links", "unrecognized_links"),
                         ("links", "anchors")]:
        assert CONFIG["validation"][group][check] == logging.WARNING, check
    assert CONFIG["strict"] is True
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\n[there](other.md#no-such-heading)\n")
    (docs / "other.md").write_text("# Other\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: t\nstrict: true\nvalidation:\n  anchors: warn\n"
        f"docs_dir: {docs}\nsite_dir: {tmp_path / 'site'}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config)],
        capture_output=True, text=True,
    )
    assert done.returncode != 0
    assert "does not contain an anchor '#no-such-heading'" in done.stderr


def test_chapters_offer_their_download_and_each_block_says_what_it_needs(site):
    """Under its question, each chapter with code links its download; above each block
    that imports from snippets/, a line names the modules it imports (and counts those
    they import), and links the download."""
    from book.codeblocks import TAG
    from book.downloads import chapters, imports, needed
    from book.hooks import PYTHON_BLOCK
    from book.words import count

    checked = 0
    for page in chapters():
        stem = page.removesuffix(".md")
        text = (site / stem / "index.html").read_text()
        assert f'href="../downloads/{stem}.zip"' in text, page
        for block in PYTHON_BLOCK.finditer(text):
            code = html.unescape(TAG.sub("", block.group(1)))
            modules = needed(code)
            if not modules:
                continue
            line = text[: block.start()].rsplit('<p class="block-needs">', 1)[-1]
            assert line.endswith("</p>\n") and "<pre" not in line, (page, modules)
            direct = imports(code) & set(modules)
            assert all(f"<code>{m}.py</code>" in line for m in direct), (page, line)
            if len(modules) > len(direct):
                assert count(len(modules) - len(direct), "module") in line, (page, line)
            assert f'href="../downloads/{stem}.zip"' in line, (page, line)
            checked += 1
    assert checked > 50
