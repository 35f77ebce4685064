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
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import jupytext
from latex2mathml.converter import convert
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from book import EDITIONS, LOCAL_RESULTS, RESULTS, ROOT, SNIPPETS, downloads, pdf, sources, words
from book.claims import BY_ID, CLAIMS, Claim, Table, dtype_of
from book.codeblocks import TAG
from book.words import say, table_text

TOKEN = re.compile(
    r"\[\[(floor|measured|table|value|claims|machine|repo|glossary|downloads|sources)"
    r"(?::([\w.-]+))?\]\]"
)
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


# The edition being built: its language (book/words.py) and its glossary.
GLOSSARY = ROOT / "includes" / "glossary.md"


def on_config(config):
    global GLOSSARY
    words.LANGUAGE = config["theme"]["language"]
    GLOSSARY = ROOT / config["mdx_configs"]["pymdownx.snippets"]["auto_append"][0]
    return config


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
    kernels = ""
    if "kernels" in m:
        kernels = say(", {kernels},", kernels=table_text("cells", m["kernels"]))
    return say(
        "Measured on {cpu} ({simd}), {cpus} logical CPUs, Python {python}, NumPy {numpy}, "
        "BLAS {blas}{kernels} with {threads} threads, on {date}.",
        **{**m, "kernels": kernels},
    )


def machine_name(results: dict) -> str:
    return say("{cpu} ({simd}), {cpus} logical CPUs", **results["machine"])


def machine_link(results: dict, anchor: str = "machine", label: str = "the machine") -> str:
    """The short machine name under a table, linked to the page's machine box."""
    return f"{machine_name(results)} ([{say(label)}](#{anchor}))"


def machine_box(results: dict, local: dict | None) -> str:
    """The page's machine, once, under its question: a collapsed box whose title names
    the CPU and whose body gives the whole machine line (and the reader's, if any)."""
    boxes = [("machine", "Measured on", results)]
    if local is not None:
        boxes.append(("machine-yours", "Yours: measured on", local))
    return "\n\n".join(
        f'<details class="info machine" id="{anchor}" markdown>\n'
        f"<summary>{say(title)} {html.escape(machine_name(figures))}</summary>\n\n"
        f"{machine_line(figures)} " + say(
            "That is every measured figure on this page; how to read them: "
            "[Reading a measurement](conventions.md#reading-a-measurement)."
        ) + "\n\n</details>"
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
        say("| Claim | BLAS threads | At least (checked by the tests on any machine) "
            "| Measured here |"),
        "|---|---|---|---|",
    ]
    if local is not None:
        rows[0] += say(" Yours |")
        rows[1] += "---|"
    for claim in CLAIMS:
        if claim.page == page:
            ratio = results["claims"][claim.id]["ratio"]
            threads = "1" if claim.blas_threads == 1 else say("1 vs all")
            what = table_text("claims", claim.what)
            row = f"| {what} | {threads} | {claim.floor:g}× | {times(ratio)} |"
            if local is not None:
                row += (yours_claim(claim, local) if claim.id in local["claims"] else " —") + " |"
            rows.append(row)
    lines = "\n".join(rows) + "\n\n" + say(
        "Each claim is measured separately from the tables on this page (sometimes with a "
        "different number of threads), so a claim and a table can show slightly different "
        "ratios for the same comparison."
    )
    lines += "\n\n" + say("_Measured on {link}._", link=machine_link(results))
    if local is not None:
        link = machine_link(local, "machine-yours", "yours")
        lines += "\n\n" + say("_Yours: measured on {link}._", link=link)
    return lines


def cell(value, fmt: str) -> str:
    """A table cell; a value that was not measured (NaN) shows as a dash, and one too
    small for the column's decimals with two significant digits, never as 0."""
    if isinstance(value, float) and math.isnan(value):
        return "—"
    if isinstance(value, str):
        return table_text("cells", value)
    text = format(value, fmt)
    if isinstance(value, float) and value != 0 and not re.search("[1-9]", text):
        text = format(value, ".2g")
    return text


def measured_table(table: Table, results: dict, anchor: str = "machine") -> str:
    """Rows as a Markdown table (numbers right-aligned, text left-aligned); a table of
    one row and many columns is shown turned, one line per column."""
    rows = results["tables"][table.id]["rows"]
    if len(rows) == 1 and len(table.columns) > 4:
        lines = [say("| Quantity | Value |"), "|:---|---:|"]
        lines += [
            f"| {table_text('headers', c.header)} | {cell(rows[0][c.key], c.fmt)} |"
            for c in table.columns
        ]
    else:
        lines = [
            "| " + " | ".join(table_text("headers", c.header) for c in table.columns) + " |",
            "|" + "".join(":---|" if c.fmt == "" else "---:|" for c in table.columns),
        ]
        for row in rows:
            cells = (cell(row[c.key], c.fmt) for c in table.columns)
            lines.append("| " + " | ".join(cells) + " |")
    caption = say("{dtype}. Measured on {link}.", dtype=table_text("captions", dtype_of(table)),
                  link=machine_link(results, anchor))
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
        return say("not measured")  # an optional peer was not installed
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
        return say("at least {floor}×", floor=f"{item.floor:g}")
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
    terms = dict(ABBREVIATION.findall(GLOSSARY.read_text()))  # this edition's
    singular = [t for t in terms if not (t.endswith("s") and t[:-1] in terms)]
    return "\n\n".join(f"{t}\n:   {terms[t]}" for t in sorted(singular, key=str.lower))


def yours_claim(claim: Claim, local: dict) -> str:
    """The reader's ratio beside a published figure, marked when below the floor."""
    ratio = local["claims"][claim.id]["ratio"]
    if ratio < claim.floor:
        below = say("(yours: {ratio}, below the stated {floor}×)", ratio=times(ratio),
                    floor=f"{claim.floor:g}")
        return f' <span class="local-figure local-below">{below}</span>'
    return f' <span class="local-figure">{say("(yours: {ratio})", ratio=times(ratio))}</span>'


def local_block(markdown: str) -> str:
    """The reader's table in a box of its own, under the published one."""
    body = "\n".join("    " + line if line else "" for line in markdown.splitlines())
    return f'!!! local "{say("Your machine (results.local.json)")}"\n\n{body}'


def with_download(markdown: str, page: str) -> str:
    """A chapter with code offers its notebook and script under its question."""
    if page not in NOTEBOOKS:
        return markdown
    stem = Path(page).stem
    code = downloads.notebook_code(NOTEBOOKS[page])
    needs = downloads.needed(code)
    packages = [downloads.PACKAGES[p] for p in downloads.chapter_packages(code)]
    link = say(
        "[Download: this chapter as a notebook and a script](downloads/{stem}.zip)"
        "{{ .md-button download={stem}.zip }} A .zip with the {modules} of `snippets/` they "
        "import; they need {packages} ([Take the book home](downloads.md)).",
        stem=stem, modules=words.count(len(needs), "module"), packages=words.join(packages),
    )
    top = QUESTION.match(markdown)
    if top is None:
        raise PluginError(f"{page}: a chapter with code starts with '# Title' and a paragraph")
    return markdown[: top.end()] + link + "\n\n" + markdown[top.end() :]


def on_page_markdown(markdown: str, page, config, files) -> str:
    if words.LANGUAGE == "zh":
        markdown = words.join_han_lines(markdown)
    markdown = with_download(markdown, page.file.src_uri)
    if not TOKEN.search(markdown):
        return markdown
    results, local = load_results(), load_local()
    markdown = with_machine_box(markdown, results, local)
    return render_tokens(markdown, page.file.src_uri, results, local, config["repo_url"])


def render_tokens(markdown: str, page: str, results: dict, local: dict | None, repo_url: str):
    """Every token of a page's Markdown replaced (the notebooks use it too)."""
    markdown = TOKEN.sub(lambda m: render_token(m, page, results, local, repo_url), markdown)
    if words.LANGUAGE == "zh":  # 快[[floor:ID]] reads 至少快 n 倍, as Chinese says it
        markdown = re.sub(r"([快慢]了?)\s*至少 ", r"至少\1 ", markdown)
    return markdown


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
            rest = words.count(len(modules) - len(direct), "module")
            parts[-1] += say(" (and the {modules} they import)" if len(direct) > 1
                             else " (and the {modules} it imports)", modules=rest)
        parts += [downloads.PACKAGES[p] for p in packages]
        where = say("in this chapter's download")
        return (
            '<p class="block-needs">' + say("Needs {parts}: ", parts=words.join(parts))
            + f'<a href="{href}">{where}</a>' + say(".") + "</p>\n" + match.group(0)
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
    title = say("not made by this build (it needs Chromium)")
    return PDF_LINK.sub(rf'<span title="{title}">\1</span>', content)


HTML_TAG = re.compile(r"(<[^>]+>)")
# Where a term is not marked: code, links, headings, marks already made, math, buttons.
UNMARKED = {"code", "pre", "a", "abbr", "h1", "h2", "h3", "h4", "h5", "h6", "script",
            "style", "math", "svg", "button", "summary", "title"}


def with_chinese_terms(content: str) -> str:
    """The abbr extension marks a term only between word boundaries, which Chinese text
    has only where a word meets punctuation or a space: its marks of Chinese terms go,
    and the first use of each Chinese term of the glossary on the page is marked, with
    its definition as the tooltip, outside code, links and headings."""
    terms = {t: d for t, d in ABBREVIATION.findall(GLOSSARY.read_text()) if words.HAN.search(t)}
    if words.LANGUAGE == "en" or not terms:
        return content
    pattern = re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))))
    content = re.sub(rf'<abbr title="[^"]*">({pattern.pattern})</abbr>', r"\1", content)
    open_tags: list[str] = []
    parts = HTML_TAG.split(content)
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = re.match(r"</?([a-zA-Z][\w-]*)", part)
            if name and name[1].lower() in UNMARKED and not part.endswith("/>"):
                if part.startswith("</"):
                    if name[1].lower() in open_tags:
                        del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name[1].lower())]
                else:
                    open_tags.append(name[1].lower())
            continue
        if open_tags:
            continue

        def mark(match: re.Match) -> str:
            term = match[0]
            if term not in terms:
                return term
            title = html.escape(terms.pop(term), quote=True)
            return f'<abbr title="{title}">{term}</abbr>'

        parts[i] = pattern.sub(mark, part)
    return "".join(parts)


@event_priority(100)  # before print-site copies each page into the print page
def on_page_content(content: str, page, config, files) -> str:
    content = without_pdf_link(with_needs(MATH.sub(tex_to_mathml, content), page))
    return with_chinese_terms(content)


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


ALTERNATE = re.compile(r'(<a href=")([^"]*)(" hreflang="\w+")')
HEAD_ALTERNATE = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="\w+">\s*')


def same_page_in_each_edition(output: str, page) -> str:
    """The language switcher points to this page in each edition, not to the edition's
    home page: both editions have the same pages at the same paths
    (tests/test_editions.py). The theme's own way reads the head's hreflang links, fetches
    each edition's sitemap.xml and looks the page up there, which works only where the
    site is served at its published address (elsewhere it goes to the home page): those
    links go, and with them the fetches."""
    output = HEAD_ALTERNATE.sub("", output)
    return ALTERNATE.sub(
        lambda m: m[1] + posixpath.normpath(m[2]) + "/" + page.url.removeprefix("/") + m[3],
        output,
    )


def on_post_page(output: str, page, config) -> str:
    output = same_page_in_each_edition(OFFSITE_SCRIPTS.sub("", output), page)
    if 'class="jupyter-wrapper"' in output:
        output = shared_notebook_css(output, page, config)
    return output


# Each page with code (a chapter) and its notebook, made once per build by on_files.
NOTEBOOKS: dict = {}


ENGLISH = ROOT / "docs"
SHARED = ("figures/", "assets/", "data/")  # what the Chinese edition takes from docs/


def chinese_notebook(stem: str) -> Path:
    """The notebook page `notebooks/<stem>.py` of the Chinese edition: the English
    notebook's cells, its Markdown cells replaced in order by those of
    docs-zh/notebooks/<stem>.py (which has no code: the code is the English one). Written
    to .cache/zh/ (a notebook page is executed from a file)."""
    notebook = jupytext.read(ENGLISH / "notebooks" / f"{stem}.py")
    chinese = jupytext.read(words.docs_dir() / "notebooks" / f"{stem}.py").cells
    prose = [cell for cell in notebook.cells if cell.cell_type == "markdown"]
    if [c.cell_type for c in chinese] != ["markdown"] * len(prose):
        raise PluginError(f"docs-zh/notebooks/{stem}.py: {len(prose)} Markdown cells and no"
                          " code, as many as the English notebook has")
    for cell, translation in zip(prose, chinese, strict=True):
        cell.source = translation.source
    path = ROOT / ".cache" / "zh" / "notebooks" / f"{stem}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, path, fmt="py:percent")
    return path


def notebook_pages(files) -> list:
    return [f for f in files if f.src_uri.startswith("notebooks/") and f.src_uri.endswith(".py")]


def edition_files(files, config) -> None:
    """The Chinese edition shows the English edition's figures, stylesheets and data
    (no copies in docs-zh/), and runs the English notebooks' code."""
    if words.LANGUAGE == "en":
        return
    for path in sorted(ENGLISH.rglob("*")):
        src_uri = path.relative_to(ENGLISH).as_posix()
        if path.is_file() and src_uri.startswith(SHARED):
            files.append(File(src_uri, str(ENGLISH), config["site_dir"],
                              config["use_directory_urls"]))
    for file in notebook_pages(files):
        file.abs_src_path = str(chinese_notebook(Path(file.src_uri).stem))


@event_priority(-50)  # after mkdocs-jupyter has taken the notebook pages
def on_files(files, config):
    """The downloads: each chapter's notebook and script (executed, see book/downloads.py),
    each program of snippets/ with the modules it imports, and the whole folder."""
    edition_files(files, config)
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
    start_chinese(config)
    for file in notebook_pages(files):
        source = Path(file.abs_src_path)
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


# The Chinese edition, built by the English build into its zh/ (mkdocs.zh.yml).
CHINESE: dict = {}


def start_chinese(config) -> None:
    """Build the Chinese edition into SITE_DIR/zh/ in another process, while this one
    builds its pages and prints its PDF: started once this build has run (and cached) the
    chapters' notebooks, whose outputs it takes (BOOK_NOTEBOOK_CACHE=1); while serving, it
    makes no PDF. BOOK_EDITIONS=en builds the English edition alone."""
    if words.LANGUAGE != "en" or os.environ.get("BOOK_EDITIONS") == "en":
        return
    CHINESE["process"] = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(EDITIONS["zh"][1]),
         "--site-dir", str(Path(config["site_dir"], "zh"))],
        cwd=ROOT,
        env={**os.environ, "BOOK_NOTEBOOK_CACHE": "1"} | ({"BOOK_PDF": "0"} if SERVING else {}),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def on_pre_build(config) -> None:
    """While serving, a rebuild stops the Chinese build still running for the last one."""
    if CHINESE.get("process") and CHINESE["process"].poll() is None:
        CHINESE["process"].kill()


def on_serve(server, config, builder):
    """Serving rebuilds on a change to either edition or to what the pages include."""
    for path in (EDITIONS["zh"][0], EDITIONS["zh"][1], ROOT / "includes", SNIPPETS):
        server.watch(str(path))
    return server


def wait_chinese() -> None:
    process = CHINESE.pop("process", None)
    if process is None:
        return
    output, _ = process.communicate()
    if process.returncode != 0:
        raise PluginError(f"the Chinese edition (mkdocs.zh.yml) did not build:\n{output}")
    log.info("The Chinese edition is built in zh/.")


@event_priority(-100)  # after print-site has written the print page
def on_post_build(config) -> None:
    """The PDF: every box of the print page opened (the machine boxes, the solutions),
    then the page printed by Chromium (book/pdf.py), unless serving or Chromium is
    missing; a request to another host while printing fails the build. Then the Chinese
    edition's build (start_chinese) is waited for."""
    if SERVING:  # the Chinese edition appears when its build ends; nobody waits for it
        return
    print_page = Path(config["site_dir"], "print_page", "index.html")
    if print_page.exists():
        print_book(config, print_page)
    wait_chinese()


def print_book(config, print_page: Path) -> None:
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
