"""Take the book home: every chapter as a notebook, every program with what it imports.

The files of `snippets/` import each other (`from shapes import conv_shapes`), so no
single file runs alone. Each download therefore travels with exactly the modules it
needs, found by reading the imports (`ast`), transitively:

- `program_zip(name)`: `snippets/<name>.py` and the modules it imports, in a folder
  `snippets/`: unzip it anywhere, `python snippets/<name>.py` runs.
- `chapter_notebook(page)`: a page as a notebook. The prose becomes Markdown cells (tokens
  rendered with the published figures, admonitions and tabs flattened, links made
  absolute), every Python block a code cell, in the page's order, with the snippet
  includes expanded exactly as the site expands them (`book.codeblocks.expand`).
- `chapter_zip(page)`: that notebook (`.ipynb`), the same cells as a script (`.py`,
  jupytext's percent format), the modules they import and the figures they show, in a
  folder `<page>/`. The site publishes it executed: `executed_zip` unzips it into an
  empty folder and runs the notebook there with nbclient, on a kernel that can import
  NumPy but none of the other packages the book installs, unless the chapter needs
  them (threadpoolctl; see `isolation`). The
  notebook and the script are `chapter-<page>.ipynb` and `.py`: `capstone.py` is a module.

A zip, not cells that write the modules: a script must run with `python file.py`, and a
cell that writes `shapes.py` would have to hold its source in a string.
"""

import ast
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jupytext
import nbformat
import numpy as np
from mkdocs.config import load_config

from book import DOCS, EDITIONS, ROOT, SNIPPETS, words
from book.codeblocks import FENCE, closing, expand, language, page_blocks

CACHE = ROOT / ".cache" / "notebooks"
# Third-party packages a notebook may need, with the name a reader installs.
PACKAGES = {"numpy": "NumPy", "threadpoolctl": "threadpoolctl", "torch": "PyTorch",
            "scipy": "SciPy"}
OPTIONAL = {"torch", "scipy"}  # peers: their cells are not run when the site is built
# Packages the book installs (requirements.txt, .ci/run) that a download may not import
# unless it needs them (threadpoolctl, for the chapters that limit BLAS threads).
BOOK_INSTALLS = {
    "threadpoolctl", "torch", "scipy", "matplotlib", "hypothesis", "pytest", "_pytest",
    "pytest_codeblocks", "selenium", "jupytext", "mkdocs", "material", "pymdownx",
    "latex2mathml", "book",
}


def isolation(allowed: set[str]) -> str:
    """Python code that, run first, makes every package the book installs unimportable
    except `allowed`, and takes any folder named snippets off the import path: what
    remains is the standard library, NumPy, `allowed` and the files beside the code."""
    blocked = sorted(BOOK_INSTALLS - allowed)
    return f"""
import importlib.abc, sys
BLOCKED = set({blocked!r})
class OnlyNumpy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (this run has NumPy only)")
        return None
sys.meta_path.insert(0, OnlyNumpy())
sys.path = [p for p in sys.path if not p.rstrip("/").endswith("snippets")]
"""


FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # zips that do not change when nothing in them does


# --- what a piece of code imports ------------------------------------------------------


def modules() -> set[str]:
    return {p.stem for p in SNIPPETS.glob("*.py")}


# ast.parse from two threads at once can fail in CPython 3.11 ("AST constructor recursion
# depth mismatch"); the notebooks are built two at a time.
PARSING = threading.Lock()


@cache  # keyed on the code itself: a changed file is read again
def imports(code: str, required: bool = False) -> frozenset[str]:
    """Top-level names of every module the code imports, anywhere in it, and of those
    it has a new process import (`in_fresh_process("measuring", ...)`). `required`:
    without the optional imports, those in a `try` that catches ImportError."""
    with PARSING:
        tree = ast.parse(code)
    optional = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.Try)
        and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
            for h in block.handlers
        )
        for statement in block.body
        for node in ast.walk(statement)
    }
    names = set()
    for node in ast.walk(tree):
        if required and id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "in_fresh_process"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return frozenset(names)


def needed(code: str) -> list[str]:
    """The modules of snippets/ that the code needs: those it imports, those they
    import, and so on; sorted by name."""
    todo, found = set(imports(code) & modules()), set()
    while todo:
        name = todo.pop()
        found.add(name)
        todo |= (imports((SNIPPETS / f"{name}.py").read_text()) & modules()) - found
    return sorted(found)


def packages(code: str) -> list[str]:
    """The third-party packages that the code and the modules it needs import (an
    import that may fail, in a `try` that catches ImportError, does not count)."""
    sources = [code] + [(SNIPPETS / f"{m}.py").read_text() for m in needed(code)]
    return [p for p in PACKAGES if any(p in imports(s, required=True) for s in sources)]


def chapter_packages(code: str) -> list[str]:
    """What a chapter's notebook needs to run: its packages but the optional peers."""
    return [p for p in packages(code) if p not in OPTIONAL]


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def program_zip(name: str) -> bytes:
    """`snippets/<name>.py` with every module it needs, in a folder `snippets/`, as in
    the repository: `python snippets/<name>.py`, as its docstring says, runs it."""
    files = [name, *needed((SNIPPETS / f"{name}.py").read_text())]
    return zip_bytes({f"snippets/{m}.py": (SNIPPETS / f"{m}.py").read_bytes() for m in files})


def all_programs_zip() -> bytes:
    return zip_bytes({f"snippets/{p.name}": p.read_bytes() for p in SNIPPETS.glob("*.py")})


# --- a page as a notebook ---------------------------------------------------------------


def site_config() -> dict:
    """The site URL, repository and pages (in the nav's order) of the edition being built."""
    return edition_config(words.LANGUAGE)


@cache
def edition_config(language: str) -> dict:
    config = load_config(str(EDITIONS[language][1]))

    def pages(nav) -> list[str]:
        if isinstance(nav, str):
            return [nav]
        items = nav.values() if isinstance(nav, dict) else nav
        return [page for item in items for page in pages(item)]

    return {
        "site_url": config["site_url"],
        "repo_url": config["repo_url"],
        "nav": pages(config["nav"]),
    }


CONTAINER = re.compile(
    r'^(?P<indent> *)(?:!!!|\?\?\?\+?|===)(?: +(?P<kind>[\w-]+))?(?: *"(?P<title>[^"]*)")? *$'
)
# Boxes about running the code from the repository: a notebook has its modules beside it.
SITE_ONLY = {"Running the blocks yourself", "自己运行代码块"}
MARKER = re.compile(r"^ *<!--(?P<marker>.*?)-->\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.S)
REFERENCE = re.compile(r"^\[(?P<label>[^\]^][^\]]*)\]: +(?P<url>\S+)(?P<rest>.*)$", re.M)
ABBREVIATION = re.compile(r"^\*\[.+?\]: .+$\n?", re.M)
LINK = re.compile(r"(\]\()(?P<url>[^)\s]+)(\))")
# an image's alt text may hold brackets, balanced (`w[k].reshape(-1)`)
DARK_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\[\]]*\])*\]\([^)\s]*#only-dark\)\n?")
FOOTNOTE = re.compile(r"\[\^(\w+)\](:?)")


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    text: str
    needs: str = ""  # a peer the code cell needs ("torch"), or nothing


def absolute(url: str, page: str) -> str:
    """A link of the page, as it must read outside the site: pages and files on the
    site as absolute URLs; the page's figures stay relative (they travel in the zip)."""
    if re.match(r"[a-z]+:", url):
        return url
    target, _, anchor = url.partition("#")
    if target.startswith("figures/"):
        return url.removesuffix("#only-light")
    base = site_config()["site_url"]
    if not target:
        target = page
    path = Path(page).parent.joinpath(target).as_posix().removeprefix("./")
    if path.startswith("notebooks/") and path.endswith(".py"):  # a notebook page
        path = path.removesuffix(".py") + "/"
    if path.endswith(".md"):
        path = path.removesuffix("index.md").removesuffix(".md")
        path += "/" if path and not path.endswith("/") else ""
    return base + path + (f"#{anchor}" if anchor else "")


def page_title(text: str) -> str:
    """The page's H1, without its `{ #id }` (the Chinese pages keep the English ids)."""
    title = re.search(r"^# (.+)$", text, re.M).group(1)
    return re.sub(r"\s*\{[^}]*\}\s*$", "", title).strip()


def split_cells(text: str) -> list[Cell]:
    """The page's Markdown (tokens rendered, includes expanded) as cells: each Python
    fence a code cell, the rest Markdown; admonitions and tabs become a bold title and
    their content, unindented; pytest-codeblocks markers go, an expected output with
    them (the cell prints it)."""
    lines = text.split("\n")
    cells: list[Cell] = []
    prose: list[str] = []
    containers: list[int] = []  # the indentation of each open container's content
    marks: list[str] = []
    drop_next_fence = False

    def flush() -> None:
        if "".join(prose).strip():
            cells.append(Cell("markdown", "\n".join(prose).strip("\n")))
        prose.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip():
            depth = len(line) - len(line.lstrip(" "))
            while containers and depth < containers[-1]:
                containers.pop()
        shift = containers[-1] if containers else 0
        fence = FENCE.match(line)
        if fence:
            width = len(fence["indent"])
            end_line = closing(fence["fence"])
            end = next(j for j in range(i + 1, len(lines)) if end_line.match(lines[j]))
            body = "\n".join(x[width:] for x in lines[i + 1 : end])
            if drop_next_fence:
                drop_next_fence = False
            elif language(fence["info"].strip()) == "python":
                flush()
                needs = next((m.split("(")[1].rstrip(")") for m in marks
                              if m.startswith("pytest-codeblocks:importorskip")), "")
                if needs:
                    cells.append(Cell("markdown", words.say(
                        "*The next cell needs {package} (`pip install {name}`); without it, "
                        "skip it. In the script it is commented out.*",
                        package=PACKAGES[needs], name=needs)))
                cells.append(Cell("code", body.strip("\n"), needs))
            else:
                prose.append(f"{fence['fence']}{fence['info']}\n{body}\n{fence['fence']}")
            marks.clear()
            i = end + 1
            continue
        marker = MARKER.match(line)
        if marker:
            if marker["marker"].strip() == "pytest-codeblocks:expected-output":
                drop_next_fence = True
            else:
                marks.append(marker["marker"].strip())
            i += 1
            continue
        container = CONTAINER.match(line)
        if container and container["title"] in SITE_ONLY:
            depth = len(container["indent"])
            i += 1
            while i < len(lines) and (
                not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip(" ")) > depth
            ):
                i += 1
            continue
        if container:
            title = container["title"] or (container["kind"] or "").capitalize()
            prose.append(f"**{title}**" if title else "")
            prose.append("")
            containers.append(len(container["indent"]) + 4)
            i += 1
            continue
        prose.append(line[shift:] if not line[:shift].strip() else line.lstrip(" "))
        i += 1
    flush()
    return cells


def prose_for_jupyter(cells: list[Cell], page: str, references: dict[str, str]) -> None:
    """Each Markdown cell as Jupyter renders it: no dark-mode twins of figures, links
    that work outside the site, the reference links it uses defined in it (Jupyter
    renders each cell alone), footnote marks as superscripts."""
    for cell in cells:
        if cell.kind != "markdown":
            continue
        text = COMMENT.sub("", DARK_IMAGE.sub("", cell.text))
        text = LINK.sub(lambda m: m[1] + absolute(m["url"], page) + m[3], text)
        text = FOOTNOTE.sub(lambda m: f"<sup>{m[1]}</sup>", text)
        used = [label for label in references if f"[{label}]".lower() in text.lower()]
        if used:
            text += "\n\n" + "\n".join(f"[{label}]: {references[label]}" for label in used)
        cell.text = text


def chapter_notebook(page: str) -> nbformat.NotebookNode:
    """The page of the edition being built as a notebook, unexecuted (see the module's
    docstring)."""
    from book.hooks import load_results, machine_line, render_tokens

    text = (words.docs_dir() / page).read_text()
    title = page_title(text)
    results = load_results()
    text = render_tokens(text, page, results, None, site_config()["repo_url"])
    text = ABBREVIATION.sub("", expand(text))
    references = {}
    for match in REFERENCE.finditer(text):
        references[match["label"]] = absolute(match["url"], page) + match["rest"]
    text = REFERENCE.sub("", text)
    text = re.sub(r"^# .+\n", "", text, count=1, flags=re.M)
    cells = split_cells(text)
    prose_for_jupyter(cells, page, references)
    code = "\n\n".join(c.text for c in cells if c.kind == "code")
    local, third_party = needed(code), chapter_packages(code)
    url = absolute(page, page)
    optional = {c.needs for c in cells if c.needs}
    say = words.say
    needs = say(
        "It needs Python 3.11 or newer and {packages} (`pip install {names}`)",
        packages=words.join([PACKAGES[p] for p in third_party]), names=" ".join(third_party),
    )
    if local:
        needs += say(
            ", and the {modules} beside it, which it imports from the book's `snippets/`: "
            "{files}.", modules=words.count(len(local), "module"),
            files=", ".join(f"`{m}.py`" for m in local),
        )
    else:
        needs += say(".")
    intro = [
        f"# {title}",
        say("The chapter [{title}]({url}) of *From Loops to Inner Products*, as a notebook: "
            "its text, and each of its code blocks as a cell, in the page's order.",
            title=title, url=url),
        needs,
    ]
    if optional:
        intro.append(say(
            "The cells that need {peers} say so; they were not run when this notebook was "
            "built, and they are commented out in the script.",
            peers=words.join([PACKAGES[p] for p in sorted(optional)]),
        ))
    intro.append(say(
        "The outputs are those of the run that built this notebook, with NumPy {numpy}; "
        "yours will differ in the timings. The figures quoted in the text are the site's. "
        "{machine}", numpy=np.__version__, machine=machine_line(results),
    ))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("\n\n".join(intro))]
    for cell in cells:
        if cell.kind == "markdown":
            notebook.cells.append(nbformat.v4.new_markdown_cell(cell.text))
        else:
            code_cell = nbformat.v4.new_code_cell(cell.text)
            if cell.needs:
                code_cell.metadata["tags"] = [f"needs-{cell.needs}", "skip-execution"]
                code_cell.metadata["active"] = "ipynb"  # commented out in the script
            notebook.cells.append(code_cell)
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python"
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for number, cell in enumerate(notebook.cells):  # ids that do not change between builds
        cell["id"] = f"cell-{number}"
    return notebook


def figures(notebook: nbformat.NotebookNode) -> list[str]:
    """The figures (docs/figures/...) that the notebook's Markdown shows."""
    found = set()
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            found |= set(re.findall(r"\]\((figures/[^)#\s]+)\)", cell.source))
    return sorted(found)


def notebook_name(stem: str, suffix: str = ".ipynb") -> str:
    """`capstone/chapter-capstone.py`: a name no module can have (the chapter Capstone
    imports the module capstone.py)."""
    return f"{stem}/chapter-{stem}{suffix}"


def notebook_code(notebook: nbformat.NotebookNode) -> str:
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "code")


def chapter_files(page: str, notebook: nbformat.NotebookNode) -> dict[str, bytes]:
    stem = Path(page).stem
    code = notebook_code(notebook)
    files = {f"{stem}/{m}.py": (SNIPPETS / f"{m}.py").read_bytes() for m in needed(code)}
    files |= {f"{stem}/{f}": (DOCS / f).read_bytes() for f in figures(notebook)}
    files[notebook_name(stem)] = nbformat.writes(notebook).encode()
    script = jupytext.writes(notebook, fmt="py:percent")
    files[notebook_name(stem, ".py")] = script.encode()
    return files


def chapters() -> list[str]:
    """The pages (docs/*.md) with at least one Python block."""
    return [
        p.name
        for p in sorted(DOCS.glob("*.md"))
        if any(b.language == "python" for b in page_blocks(p.read_text(), p.name))
    ]


# --- executed, in an empty folder, with NumPy only ----------------------------------------


def requirements(notebook: nbformat.NotebookNode) -> set[str]:
    """The packages a notebook needs besides NumPy, its optional peers left out."""
    return set(chapter_packages(notebook_code(notebook))) - {"numpy"}


def only_numpy_kernel(folder: Path, allowed: set[str]) -> str:
    """Write a kernel spec whose kernel can import NumPy and `allowed`, but none of the
    book's other packages (`isolation`); return its directory."""
    launcher = folder / "only_numpy_kernel.py"
    launcher.write_text(
        isolation(allowed) + "from ipykernel import kernelapp\nkernelapp.launch_new_instance()\n"
    )
    spec = folder / "kernels" / "only-numpy"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(launcher), "-f", "{connection_file}"],
        "display_name": "Python 3 (NumPy only)",
        "language": "python",
        "env": {"PYTHONPATH": ""},
    }))
    return str(folder / "kernels")


def execute(files: dict[str, bytes], stem: str) -> nbformat.NotebookNode:
    """Unzip the chapter's files into an empty folder, run its notebook there on a
    kernel that can import NumPy and what the notebook needs (`requirements`), return
    the notebook with its outputs. A cell that fails raises nbclient's
    CellExecutionError, which names the cell and the error."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    notebook = nbformat.reads(files[notebook_name(stem)].decode(), as_version=4)
    with tempfile.TemporaryDirectory() as scratch:
        kernels = only_numpy_kernel(Path(scratch), requirements(notebook))
        folder = Path(scratch, "download")
        with zipfile.ZipFile(io.BytesIO(zip_bytes(files))) as archive:
            archive.extractall(folder)
        manager = KernelManager(
            kernel_name="only-numpy", kernel_spec_manager=KernelSpecManager(kernel_dirs=[kernels])
        )
        client = NotebookClient(
            notebook, km=manager, timeout=600, resources={"metadata": {"path": str(folder / stem)}}
        )
        client.execute()
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python"
    }
    return notebook


def executed_zip(page: str, notebook: nbformat.NotebookNode) -> bytes:
    """The chapter's download with its notebook executed. Executed notebooks are kept in
    .cache/notebooks/, keyed on what the run depends on: the code cells, the modules
    beside them, and the versions of Python and NumPy. The Chinese edition's notebooks
    have the same code cells as the English ones (tests/test_editions.py), so they take
    their outputs from the English run. BOOK_NOTEBOOK_CACHE=0 runs every notebook again
    (and keeps it)."""
    stem = Path(page).stem
    files = chapter_files(page, notebook)
    modules = b"".join(files[f"{stem}/{m}.py"] for m in needed(notebook_code(notebook)))
    key = hashlib.sha256(
        notebook_code(notebook).encode() + modules + f"{sys.version}{np.__version__}".encode()
    )
    cached = CACHE / f"{stem}-{key.hexdigest()[:16]}.ipynb"
    if cached.exists() and os.environ.get("BOOK_NOTEBOOK_CACHE", "1") != "0":
        executed = nbformat.read(cached, as_version=4)
    else:
        executed = execute(files, stem)
        CACHE.mkdir(parents=True, exist_ok=True)
        for old in CACHE.glob(f"{stem}-*.ipynb"):
            old.unlink()
        nbformat.write(executed, cached)
    ran = [c for c in executed.cells if c.cell_type == "code"]
    for cell, run in zip([c for c in notebook.cells if c.cell_type == "code"], ran, strict=True):
        cell.outputs, cell.execution_count = run.outputs, run.execution_count
    files[notebook_name(stem)] = nbformat.writes(notebook).encode()
    return zip_bytes(files)


def executed_zips(notebooks: dict[str, nbformat.NotebookNode]) -> dict[str, bytes]:
    """Every chapter's download, from its notebook (`chapter_notebook`), executed;
    BOOK_NOTEBOOK_WORKERS notebooks at a time (default 1: the timings a notebook prints
    are its own, not shared with another)."""
    workers = int(os.environ.get("BOOK_NOTEBOOK_WORKERS", "1"))
    with ThreadPoolExecutor(workers) as pool:
        return dict(zip(notebooks, pool.map(executed_zip, notebooks, notebooks.values()),
                        strict=True))


def program_summary(source: str) -> str:
    """A program's first paragraph of its docstring, on one line: what it shows."""
    return ast.get_docstring(ast.parse(source)).split("\n\n")[0].replace("\n", " ")


def listing(which: str, notebooks: dict[str, nbformat.NotebookNode]) -> str:
    """`chapters`: the download of each chapter (of `notebooks`, by page); `programs`:
    every program's; a table."""
    if which == "chapters":
        rows = [words.say("| Chapter | Download | Modules of `snippets/` in it |"),
                "|:---|:---|---:|"]
        for page in sorted(notebooks, key=site_config()["nav"].index):
            stem = Path(page).stem
            title = page_title((words.docs_dir() / page).read_text())
            number = len(needed(notebook_code(notebooks[page])))
            rows.append(f"| [{title}]({page}) | [{stem}.zip](downloads/{stem}.zip) | {number} |")
        return "\n".join(rows)
    if which != "programs":
        raise ValueError(f"[[downloads:{which}]]: chapters or programs")
    rows = [words.say("| Program | What it shows | It imports from `snippets/` |"),
            "|:---|:---|:---|"]
    for path in sorted(SNIPPETS.glob("*.py")):
        source = path.read_text()
        summary = words.table_text("programs", program_summary(source))
        others = ", ".join(f"`{m}`" for m in needed(source) if m != path.stem)
        others = others or words.say("nothing")
        rows.append(
            f"| [{path.name}](downloads/programs/{path.stem}.zip) | {summary} | {others} |"
        )
    return "\n".join(rows)
