"""MkDocs hooks: measured figures into prose, TeX into MathML, nothing loaded off-site.

- Under `mkdocs serve`, when the reader has measured their own machine
  (`python -m book.results --local`, a git-ignored file), every measured table and every
  `[[measured:ID]]` figure also shows the reader's figure, with their machine line, and a
  claim whose floor their machine does not reach is marked. `mkdocs build`, which
  publishes the site, never shows them.
- `[[floor:ID]]`, `[[measured:ID]]`, `[[table:ID]]`, `[[value:ID.KEY]]` (one cell of a
  one-row table; `ID.KEY.ROW` for row ROW), `[[claims]]` and `[[machine]]` in a
  page are replaced by figures from `book.claims` and the results file; an unknown ID,
  or a claim stated on a page other than the one the registry names, fails the build.
  `[[repo]]` is the repository URL, set once in mkdocs.yml as `repo_url`; `[[glossary]]`
  lists the terms of `includes/glossary.md`, which every page gets appended (tooltips);
  `[[downloads]]` lists every chapter's and every program's download (book/downloads.py);
  `[[sources]]` every link to another site (book/sources.py).
- Math written as `$...$` / `$$...$$` (pymdownx.arithmatex, generic mode) is converted
  to MathML at build time, which browsers render natively: no MathJax, no CDN.
- Scripts that notebook pages would load from other hosts (MathJax, mermaid) are removed,
  and their inlined JupyterLab CSS moves to one shared stylesheet.
- Every notebook source `docs/notebooks/*.py` (jupytext percent format) is also
  published as an `.ipynb` beside its page, for download.
"""

import hashlib
import html
import json
import logging
import math
import os
import re
import sys
from pathlib import Path

import jupytext
from latex2mathml.converter import convert
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from book import LOCAL_RESULTS, RESULTS, SNIPPETS, downloads, pdf, sources
from book.claims import BY_ID, CLAIMS, Claim, Table, dtype_of
from book.codeblocks import TAG

TOKEN = re.compile(
    r"\[\[(floor|measured|table|value|claims|machine|repo|glossary|downloads|sources)"
    r"(?::([\w.-]+))?\]\]"
)
GLOSSARY = Path(__file__).parent.parent / "includes" / "glossary.md"
ABBREVIATION = re.compile(r"^\*\[(.+?)\]: (.+)$", re.M)
MATH = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
# What nbconvert's template puts into notebook pages: a MathJax <script src> (pointed at
# about:blank by mkdocs.yml), its inline configuration, and a module script that
# imports mermaid from cdnjs.
OFFSITE_SCRIPTS = re.compile(
    r'<script\b[^>]*\bsrc="(?:[a-z]+:|//)[^"]*"[^>]*>\s*</script>'
    r'|<script type="text/x-mathjax-config">.*?</script>'
    r"""|<script\b[^>]*>(?:(?!</script>).)*?\bimport\b[^;]*?["'](?:https?:)?//.*?</script>""",
    re.S,
)


log = logging.getLogger("mkdocs.hooks.book")
SERVING = False  # set by on_startup: local figures only in `mkdocs serve`


def on_startup(command: str, dirty: bool) -> None:
    global SERVING
    SERVING = command == "serve"


def load_results() -> dict:
    return json.loads(RESULTS.read_text())


def load_local() -> dict | None:
    """The reader's own figures, shown beside the published ones while serving."""
    path = LOCAL_RESULTS
    return json.loads(path.read_text()) if SERVING and path.exists() else None


def times(ratio: float) -> str:
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def machine_line(results: dict) -> str:
    m = results["machine"]
    kernels = f", {m['kernels']}," if "kernels" in m else ""
    return (
        f"Measured on {m['cpu']} ({m['simd']}), {m['cpus']} logical CPUs, "
        f"Python {m['python']}, NumPy {m['numpy']}, "
        f"BLAS {m['blas']}{kernels} with {m['threads']} threads, on {m['date']}."
    )


def machine_name(results: dict) -> str:
    m = results["machine"]
    return f"{m['cpu']} ({m['simd']}), {m['cpus']} logical CPUs"


def machine_link(results: dict, anchor: str = "machine", label: str = "the machine") -> str:
    """The short machine name under a table, linked to the page's machine box."""
    return f"{machine_name(results)} ([{label}](#{anchor}))"


def machine_box(results: dict, local: dict | None) -> str:
    """The page's machine, once, under its question: a collapsed box whose title names
    the CPU and whose body gives the whole machine line (and the reader's, if any)."""
    boxes = [("machine", "Measured on", results)]
    if local is not None:
        boxes.append(("machine-yours", "Yours: measured on", local))
    return "\n\n".join(
        f'<details class="info machine" id="{anchor}" markdown>\n'
        f"<summary>{title} {html.escape(machine_name(figures))}</summary>\n\n"
        f"{machine_line(figures)} That is every measured figure on this page; how to read "
        "them: [Reading a measurement](conventions.md#reading-a-measurement).\n\n</details>"
        for anchor, title, figures in boxes
    )


MEASURED = re.compile(r"\[\[(measured|table|value|claims):")
QUESTION = re.compile(r"^# [^\n]*\n+(?:(?!\n\n).)*\n\n", re.S)


def with_machine_box(markdown: str, results: dict, local: dict | None) -> str:
    """A page that shows measured figures gets its machine box after the first
    paragraph under the title (the chapter's question)."""
    if not MEASURED.search(markdown):
        return markdown
    top = QUESTION.match(markdown)
    if top is None:
        raise PluginError("a page with measured figures starts with '# Title' and a paragraph")
    return markdown[: top.end()] + machine_box(results, local) + "\n\n" + markdown[top.end() :]


def claims_table(page: str, results: dict, local: dict | None) -> str:
    rows = [
        "| Claim | BLAS threads | At least (checked by the tests on any machine) "
        "| Measured here |",
        "|---|---|---|---|",
    ]
    if local is not None:
        rows[0] += " Yours |"
        rows[1] += "---|"
    for claim in CLAIMS:
        if claim.page == page:
            ratio = results["claims"][claim.id]["ratio"]
            threads = "1" if claim.blas_threads == 1 else "1 vs all"
            row = f"| {claim.what} | {threads} | {claim.floor:g}× | {times(ratio)} |"
            if local is not None:
                row += (yours_claim(claim, local) if claim.id in local["claims"] else " —") + " |"
            rows.append(row)
    lines = "\n".join(rows) + (
        "\n\nEach claim is measured separately from the tables on this page (sometimes"
        " with a different number of threads), so a claim and a table can show slightly"
        " different ratios for the same comparison."
    )
    lines += f"\n\n_Measured on {machine_link(results)}._"
    if local is not None:
        lines += f"\n\n_Yours: measured on {machine_link(local, 'machine-yours', 'yours')}._"
    return lines


def cell(value, fmt: str) -> str:
    """A table cell; a value that was not measured (NaN) shows as a dash, and one too
    small for the column's decimals with two significant digits, never as 0."""
    if isinstance(value, float) and math.isnan(value):
        return "—"
    text = format(value, fmt)
    if isinstance(value, float) and value != 0 and not re.search("[1-9]", text):
        text = format(value, ".2g")
    return text


def measured_table(table: Table, results: dict, anchor: str = "machine") -> str:
    """Rows as a Markdown table (numbers right-aligned, text left-aligned); a table of
    one row and many columns is shown turned, one line per column."""
    rows = results["tables"][table.id]["rows"]
    if len(rows) == 1 and len(table.columns) > 4:
        lines = ["| Quantity | Value |", "|:---|---:|"]
        lines += [f"| {c.header} | {cell(rows[0][c.key], c.fmt)} |" for c in table.columns]
    else:
        lines = [
            "| " + " | ".join(c.header for c in table.columns) + " |",
            "|" + "".join(":---|" if c.fmt == "" else "---:|" for c in table.columns),
        ]
        for row in rows:
            cells = (cell(row[c.key], c.fmt) for c in table.columns)
            lines.append("| " + " | ".join(cells) + " |")
    caption = f"{dtype_of(table)}. Measured on {machine_link(results, anchor)}."
    return "\n".join(lines) + f"\n\n_{caption}_"


def table_value(reference: str, page: str, results: dict) -> str:
    """`TABLE.KEY` (a one-row table) or `TABLE.KEY.ROW` of any measured table,
    formatted as its column says. ROW is a row number from 0, or the value of
    the row's first column (`resnet-summary.network_ms.conv_fast`)."""
    table_id, key, *row_name = reference.split(".")
    table = BY_ID.get(table_id)
    columns = {c.key: c for c in table.columns} if isinstance(table, Table) else {}
    rows = results["tables"].get(table_id, {}).get("rows", [])
    if key in columns and not rows:
        return "not measured"  # an optional peer was not installed
    if key not in columns or len(row_name) > 1 or not (row_name or len(rows) == 1):
        raise PluginError(f"{page}: [[value:{reference}]] names no cell of a measured table")
    if not row_name:
        return cell(rows[0][key], columns[key].fmt)
    first = table.columns[0].key
    matches = [r for r in rows if str(r[first]) == row_name[0]]
    if row_name[0].isdigit() and not matches:
        matches = [rows[int(row_name[0])]]
    if len(matches) != 1:
        raise PluginError(f"{page}: [[value:{reference}]]: no single row {row_name[0]}")
    return cell(matches[0][key], columns[key].fmt)


def render_token(
    match: re.Match, page: str, results: dict, local: dict | None, repo_url: str
) -> str:
    kind, item_id = match.group(1), match.group(2)
    if kind == "repo":
        return repo_url
    if kind == "glossary":
        return glossary()
    if kind == "downloads":
        return downloads.listing(item_id, NOTEBOOKS)
    if kind == "sources":
        return sources.listing()
    if kind == "machine":
        return machine_line(results)
    if kind == "claims":
        return claims_table(page, results, local)
    if kind == "value":
        return table_value(item_id, page, results)
    item = BY_ID.get(item_id)
    wanted = Table if kind == "table" else Claim
    if not isinstance(item, wanted):
        raise PluginError(f"{page}: {match.group(0)} names no {wanted.__name__} in book/claims.py")
    if item.page != page:
        raise PluginError(f"{page}: {match.group(0)} belongs to {item.page} (book/claims.py)")
    if kind == "floor":
        return f"at least {item.floor:g}×"
    if kind == "measured":
        published = times(results["claims"][item.id]["ratio"])
        if local is None or item.id not in local["claims"]:
            return published
        return f"{published}{yours_claim(item, local)}"
    table = measured_table(item, results)
    if local is None or item.id not in local["tables"]:
        return table
    return table + "\n\n" + local_block(measured_table(item, local, "machine-yours"))


def glossary() -> str:
    """Every term of the glossary file with its definition, as a definition list in
    alphabetical order; a plural that repeats its singular's entry is left out."""
    terms = dict(ABBREVIATION.findall(GLOSSARY.read_text()))
    singular = [t for t in terms if not (t.endswith("s") and t[:-1] in terms)]
    return "\n\n".join(f"{t}\n:   {terms[t]}" for t in sorted(singular, key=str.lower))


def yours_claim(claim: Claim, local: dict) -> str:
    """The reader's ratio beside a published figure, marked when below the floor."""
    ratio = local["claims"][claim.id]["ratio"]
    if ratio < claim.floor:
        return (
            f' <span class="local-figure local-below">(yours: {times(ratio)},'
            f" below the stated {claim.floor:g}×)</span>"
        )
    return f' <span class="local-figure">(yours: {times(ratio)})</span>'


def local_block(markdown: str) -> str:
    """The reader's table in a box of its own, under the published one."""
    body = "\n".join("    " + line if line else "" for line in markdown.splitlines())
    return f'!!! local "Your machine (results.local.json)"\n\n{body}'


def with_download(markdown: str, page: str) -> str:
    """A chapter with code offers its notebook and script under its question."""
    if page not in NOTEBOOKS:
        return markdown
    stem = Path(page).stem
    code = downloads.notebook_code(NOTEBOOKS[page])
    needs = downloads.needed(code)
    packages = [downloads.PACKAGES[p] for p in downloads.chapter_packages(code)]
    link = (
        f"[Download: this chapter as a notebook and a script](downloads/{stem}.zip)"
        f"{{ .md-button download={stem}.zip }} A .zip with the"
        f" {downloads.count(len(needs), 'module')} of `snippets/` they import; they need"
        f" {' and '.join(packages)}"
        " ([Take the book home](downloads.md))."
    )
    top = QUESTION.match(markdown)
    if top is None:
        raise PluginError(f"{page}: a chapter with code starts with '# Title' and a paragraph")
    return markdown[: top.end()] + link + "\n\n" + markdown[top.end() :]


def on_page_markdown(markdown: str, page, config, files) -> str:
    markdown = with_download(markdown, page.file.src_uri)
    if not TOKEN.search(markdown):
        return markdown
    results, local = load_results(), load_local()
    markdown = with_machine_box(markdown, results, local)
    return render_tokens(markdown, page.file.src_uri, results, local, config["repo_url"])


def render_tokens(markdown: str, page: str, results: dict, local: dict | None, repo_url: str):
    """Every token of a page's Markdown replaced (the notebooks use it too)."""
    return TOKEN.sub(lambda m: render_token(m, page, results, local, repo_url), markdown)


def tex_to_mathml(match: re.Match) -> str:
    tex = html.unescape(match.group(2)).strip()
    display = "block" if match.group(1) == "div" else "inline"
    tex = tex[2:-2] if tex[:2] in (r"\(", r"\[") else tex
    return convert(tex, display=display)


PYTHON_BLOCK = re.compile(
    r'<div class="language-(?:python|py) highlight">.*?<code>(.*?)</code></pre></div>', re.S
)


def with_needs(content: str, page) -> str:
    """Above each Python block that imports from snippets/ or needs more than NumPy:
    what it needs, with a link to the chapter's download, which holds it."""
    if page.file.src_uri not in NOTEBOOKS:
        return content
    href = "../" * page.url.count("/") + f"downloads/{Path(page.file.src_uri).stem}.zip"

    def needs(match: re.Match) -> str:
        code = html.unescape(TAG.sub("", match.group(1)))
        try:
            modules, packages = downloads.needed(code), downloads.packages(code)
        except SyntaxError:  # a fragment shown for reading, not a program
            return match.group(0)
        if not modules and set(packages) <= {"numpy"}:
            return match.group(0)
        direct = sorted(downloads.imports(code) & set(modules))
        parts = [", ".join(f"<code>{m}.py</code>" for m in direct)] if direct else []
        if len(modules) > len(direct):
            parts[-1] += f" (and the {downloads.count(len(modules) - len(direct), 'module')}"
            parts[-1] += " they import)" if len(direct) > 1 else " it imports)"
        parts += [downloads.PACKAGES[p] for p in packages]
        return (
            '<p class="block-needs">Needs '
            + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
            + f': <a href="{href}">in this chapter\'s download</a>.</p>\n' + match.group(0)
        )

    return PYTHON_BLOCK.sub(needs, content)


PDF_LINK = re.compile(rf'<a href="[^"]*{re.escape(pdf.PDF_NAME)}">(.*?)</a>', re.S)


def makes_pdf() -> bool:
    """Whether this build prints the PDF: not when serving, not without Chromium and
    its driver, not with BOOK_PDF=0."""
    return (
        not SERVING
        and bool(pdf.CHROMIUM and pdf.CHROMEDRIVER)
        and os.environ.get("BOOK_PDF") != "0"
    )


def without_pdf_link(content: str) -> str:
    """A build that makes no PDF links to none."""
    if makes_pdf():
        return content
    return PDF_LINK.sub(r'<span title="not made by this build (it needs Chromium)">\1</span>',
                        content)


@event_priority(100)  # before print-site copies each page into the print page
def on_page_content(content: str, page, config, files) -> str:
    return without_pdf_link(with_needs(MATH.sub(tex_to_mathml, content), page))


NOTEBOOK_STYLE = re.compile(r'<style type="text/css">(.*?)</style>', re.S)


def shared_notebook_css(output: str, page, config) -> str:
    """Notebook pages inline about half a megabyte of JupyterLab CSS. Move it to
    one stylesheet that every notebook page shares (and the browser caches)."""
    css = "\n".join(NOTEBOOK_STYLE.findall(output))
    digest = hashlib.sha256(css.encode()).hexdigest()[:12]
    name = f"assets/stylesheets/notebook-{digest}.css"
    path = Path(config["site_dir"], name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(css)
    link = f'<link rel="stylesheet" href="{"../" * page.url.count("/")}{name}">'
    return NOTEBOOK_STYLE.sub(
        "",
        output.replace('<div class="jupyter-wrapper">', link + '<div class="jupyter-wrapper">', 1),
    )


def on_post_page(output: str, page, config) -> str:
    output = OFFSITE_SCRIPTS.sub("", output)
    if 'class="jupyter-wrapper"' in output:
        output = shared_notebook_css(output, page, config)
    return output


# Each page with code (a chapter) and its notebook, made once per build by on_files.
NOTEBOOKS: dict = {}


def on_files(files, config):
    """The downloads: each chapter's notebook and script (executed, see book/downloads.py),
    each program of snippets/ with the modules it imports, and the whole folder."""
    NOTEBOOKS.clear()
    NOTEBOOKS.update({page: downloads.chapter_notebook(page) for page in downloads.chapters()})
    for page, archive in downloads.executed_zips(NOTEBOOKS).items():
        files.append(
            File.generated(config, f"downloads/{Path(page).stem}.zip", content=archive)
        )
    for source in sorted(SNIPPETS.glob("*.py")):
        files.append(
            File.generated(
                config,
                f"downloads/programs/{source.stem}.zip",
                content=downloads.program_zip(source.stem),
            )
        )
    files.append(
        File.generated(config, "downloads/snippets.zip", content=downloads.all_programs_zip())
    )
    for source in sorted(Path(config["docs_dir"], "notebooks").glob("*.py")):
        notebook = jupytext.read(source)
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        files.append(
            File.generated(
                config,
                f"notebooks/{source.stem}.ipynb",
                content=jupytext.writes(notebook, fmt="ipynb"),
            )
        )
    return files


CLOSED = re.compile(r"<details(?![^>]*\bopen\b)")


@event_priority(-100)  # after print-site has written the print page
def on_post_build(config) -> None:
    """The PDF: every box of the print page opened (the machine boxes, the solutions),
    then the page printed by Chromium (book/pdf.py), unless serving or Chromium is
    missing; a request to another host while printing fails the build."""
    print_page = Path(config["site_dir"], "print_page", "index.html")
    if SERVING or not print_page.exists():
        return
    text = CLOSED.sub("<details open", print_page.read_text())
    # print-site gives the page the site's absolute base path, which only the published
    # site has: the theme's search index would be looked for where it is not
    text = re.sub(r'("base": )"[^"]*"', r'\1".."', text, count=1)
    print_page.write_text(text)
    if not makes_pdf():
        log.info("The PDF is not built: it needs Debian's chromium and chromium-driver.")
        return
    offsite = pdf.print_pdf(Path(config["site_dir"]), Path(config["site_dir"], pdf.PDF_NAME))
    if offsite:
        raise PluginError(f"printing the PDF requested other hosts: {offsite}")
