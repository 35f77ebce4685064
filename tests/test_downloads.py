"""What a reader takes home: every chapter's notebook and script, as the site offers them,
run in an empty folder with NumPy only (the build ran the notebooks; this file checks
them and runs the scripts); every program's download runs in tests/test_snippets.py."""

import io
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import pytest
from conftest import AS_A_PROGRAM, QUICK_TIMING
from nbclient.exceptions import CellExecutionError

from book import DOCS
from book.codeblocks import page_blocks, without_blank_lines
from book.downloads import (
    Cell,
    absolute,
    chapters,
    execute,
    figures,
    isolation,
    needed,
    notebook_code,
    notebook_name,
    requirements,
    site_config,
    split_cells,
)

CHAPTERS = chapters()


def unzip(archive: Path, folder: Path) -> Path:
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(folder)
    return folder


def downloaded_notebook(site: Path, page: str) -> tuple[nbformat.NotebookNode, set[str]]:
    stem = Path(page).stem
    with zipfile.ZipFile(site / "downloads" / f"{stem}.zip") as archive:
        names = set(archive.namelist())
        notebook = nbformat.reads(archive.read(notebook_name(stem)).decode(), as_version=4)
    return notebook, names


def stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(
        o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"
    )


@pytest.mark.parametrize("page", CHAPTERS)
def test_each_chapter_notebook_ran_in_an_empty_folder_with_numpy_only(site, page):
    """The notebook holds each Python block of the page, in order, as a code cell; each
    cell ran (the build runs every notebook in an empty folder holding the download
    only, on a kernel that can import NumPy and nothing else the book installs) and
    printed what the page shows; only a cell that needs a peer was left, saying so."""
    notebook, names = downloaded_notebook(site, page)
    nbformat.validate(notebook)
    stem = Path(page).stem
    blocks = [b.block for b in page_blocks((DOCS / page).read_text(), page)
              if b.language == "python"]
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert [without_blank_lines(c.source) for c in cells] == [
        without_blank_lines(b.code) for b in blocks
    ]
    for number, (cell, block) in enumerate(zip(cells, blocks, strict=True), 1):
        where = f"{page}, code cell {number}"
        if "skip-execution" in cell.metadata.get("tags", []):
            assert block.importorskip and cell.execution_count is None, where
            continue
        assert cell.execution_count is not None, where
        assert not [o for o in cell.outputs if o.output_type == "error"], where
        if block.expected_output is not None:
            got, expected = stdout(cell), block.expected_output
            if block.expected_output_ignore_whitespace:
                got, expected = "".join(got.split()), "".join(expected.split())
            assert got == expected, where
    modules = {f"{stem}/{m}.py" for m in needed(notebook_code(notebook))}
    assert modules | {notebook_name(stem), notebook_name(stem, ".py")} <= names
    shown = {f"{stem}/{f}" for f in figures(notebook)}
    assert shown <= names, page  # every figure the text shows travels with it
    links = "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "#only-dark" not in links, page  # the dark twin of each figure is left out


def test_the_scripts_are_the_notebooks_and_run_in_an_empty_folder_with_numpy_only(
    site, tmp_path
):
    """`python chapter-<page>.py`, in the unzipped download and nowhere else, with every
    package the book installs made unimportable but NumPy and what the chapter needs
    (and quicker timing, QUICK_TIMING: what the scripts print is not checked here; the
    notebooks' outputs are, above)."""
    runs = {}
    for page in CHAPTERS:
        stem = Path(page).stem
        folder = unzip(site / "downloads" / f"{stem}.zip", tmp_path / stem) / stem
        script = (folder / f"chapter-{stem}.py").read_text()
        notebook, _ = downloaded_notebook(site, page)
        as_script = jupytext.reads(script, fmt="py:percent")
        assert notebook_code(as_script) == notebook_code(notebook), page
        runs[page] = folder
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    allowed = {page: requirements(downloaded_notebook(site, page)[0]) for page in runs}

    def run(page: str) -> subprocess.CompletedProcess:
        script = f"chapter-{Path(page).stem}.py"
        return subprocess.run(
            [sys.executable, "-c", isolation(allowed[page]) + QUICK_TIMING + AS_A_PROGRAM, script],
            cwd=runs[page],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    with ThreadPoolExecutor(2) as pool:  # two at a time: their timings are not checked
        done = dict(zip(runs, pool.map(run, runs), strict=True))
    failed = {page: d.stderr[-2000:] for page, d in done.items() if d.returncode != 0}
    assert failed == {}


def test_the_notebook_kernel_cannot_import_what_the_book_installs(tmp_path):
    """The only-NumPy kernel is real: NumPy imports (threadpoolctl too, where the
    notebook imports it), a package the book installs for its tests does not, nor does
    a snippet that is not in the download."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import numpy, threadpoolctl")]
    files = {"t/chapter-t.ipynb": nbformat.writes(notebook).encode()}
    assert execute(files, "t").cells[0].execution_count == 1
    for module in ("pytest", "shapes", "scipy"):
        notebook.cells = [nbformat.v4.new_code_cell(f"import {module}")]
        files = {"t/chapter-t.ipynb": nbformat.writes(notebook).encode()}
        with pytest.raises(CellExecutionError, match="ModuleNotFoundError"):
            execute(files, "t")


def test_pages_become_cells_as_a_reader_of_the_notebook_needs_them():
    text = "\n".join([
        "Some prose.",
        "",
        '!!! tip "Try it"',
        "    Inside the box:",
        "",
        "    ```python",
        "    print(1)",
        "    ```",
        "",
        "    <!--pytest-codeblocks:expected-output-->",
        "",
        "    ```text",
        "    1",
        "    ```",
        "",
        '=== "Tab"',
        "    ```bash",
        "    python x.py",
        "    ```",
        "",
        "<!--pytest-codeblocks:importorskip(torch)-->",
        "",
        "```python",
        "import torch",
        "```",
        "After.",
    ])
    assert split_cells(text) == [
        Cell("markdown", "Some prose.\n\n**Try it**\n\nInside the box:"),
        Cell("code", "print(1)"),
        Cell("markdown", "**Tab**\n\n```bash\npython x.py\n```"),
        Cell("markdown", "*The next cell needs PyTorch (`pip install torch`); without it,"
                         " skip it. In the script it is commented out.*"),
        Cell("code", "import torch", "torch"),
        Cell("markdown", "After."),
    ]


def test_links_work_outside_the_site():
    site_url = site_config()["site_url"]
    assert absolute("part2-gemm.md#im2col", "inner-products.md") == (
        f"{site_url}part2-gemm/#im2col"
    )
    assert absolute("#machine", "capstone.md") == f"{site_url}capstone/#machine"
    assert absolute("index.md", "capstone.md") == site_url
    assert absolute("notebooks/inner_products.py", "x.md") == (
        f"{site_url}notebooks/inner_products/"
    )
    assert absolute("figures/a-light.svg#only-light", "x.md") == "figures/a-light.svg"
    assert absolute("https://numpy.org", "x.md") == "https://numpy.org"


def test_every_download_is_the_same_bytes_when_nothing_changed():
    """Fixed timestamps and sorted names: a rebuild does not change a download."""
    from book.downloads import program_zip

    first, second = program_zip("conv_im2col"), program_zip("conv_im2col")
    assert first == second
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert names == sorted(names) and "snippets/conv_im2col.py" in names
