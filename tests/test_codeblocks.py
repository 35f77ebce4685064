"""Run every code block of every page, with snippet includes expanded as on the site."""

import contextlib
import io
import os
import platform
import re
import subprocess
import sys

import pytest

from book import ROOT
from book.codeblocks import (
    PageBlock,
    all_blocks,
    distinct_blocks,
    marks_without_reason,
    page_blocks,
    page_name,
    pages,
    unexecuted_python_blocks,
)

BLOCKS = all_blocks()  # both editions


def as_param(blocks: list[PageBlock]):
    """One block, run once for every page that shows it (an English page and its
    Chinese translation show the same code): its id names them all."""
    names = {"pytest": pytest, "sys": sys, "platform": platform}
    marks = [eval(mark, names) for mark in blocks[0].block.marks]
    return pytest.param(blocks[0], marks=marks, id="|".join(b.id for b in blocks))


def run_python(code: str, name: str) -> str:
    """Run a block as a script (`__name__ == "__main__"`), return what it printed."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.chdir(ROOT):
        exec(compile(code, name, "exec"), {"__name__": "__main__"})
    return output.getvalue()


def run_shell(code: str, language: str) -> str:
    """Run a block in the shell, from the repository, with this Python first on PATH."""
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]
    done = subprocess.run(
        code,
        shell=True,
        cwd=ROOT,
        env={**os.environ, "PATH": path},
        executable="/bin/bash" if language == "bash" else None,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.parametrize("page_block", [as_param(group) for group in distinct_blocks()])
def test_code_block(page_block: PageBlock):
    block = page_block.block
    if block.importorskip:
        pytest.importorskip(block.importorskip)
    if page_block.language == "python":
        output = run_python(block.code, f"docs/{page_block.id}")
    else:
        output = run_shell(block.code, page_block.language)
    if block.expected_output is not None:
        expected, got = block.expected_output, output
        if block.expected_output_ignore_whitespace:
            expected, got = re.sub(r"\s+", "", expected), re.sub(r"\s+", "", got)
        assert got == expected, f"printed:\n{output}\nthe page shows:\n{block.expected_output}"


@pytest.mark.parametrize("path", pages(), ids=page_name)
def test_every_python_block_is_executed(path):
    """The guard: each block the site highlights as Python (in either edition) is run by
    test_code_block."""
    page = page_name(path)
    text = path.read_text()
    missed = unexecuted_python_blocks(text, page_blocks(text, page))
    assert not missed, f"{page}: Python blocks the tests do not run:\n" + "\n---\n".join(missed)


def test_every_skip_marker_says_why():
    """A block may be skipped only with a reason the reader can see in the source."""
    assert {b.id: marks_without_reason(b) for b in BLOCKS if marks_without_reason(b)} == {}
