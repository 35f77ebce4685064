"""The guards themselves: each must catch what it exists to catch."""

import contextlib
import io
import re

import pytest

from book import DOCS, ROOT
from book.codeblocks import (
    expand,
    marks_without_reason,
    page_blocks,
    page_name,
    pages,
    unexecuted_python_blocks,
)
from book.hooks import TOKEN

FENCE = "`" * 3

# A page with the ways of writing a Python block that pytest-codeblocks alone would skip
# silently (a title, `py`, `~~~`, a console session); the book's extraction runs the
# first two, and the guard must report the other two.
TRAPS = f"""
# A page

{FENCE}python
print("plain: runs")
{FENCE}

{FENCE}python title="titled"
print("titled: runs")
{FENCE}

=== "In a tab"

    {FENCE}python
    print("in a tab: runs")
    {FENCE}

{FENCE}py
print("py fence: runs")
{FENCE}

~~~python
print("tilde fence: not run")
~~~

{FENCE}pycon
>>> print("console session: not run")
{FENCE}

<!--pytest.mark.skip(reason="shown, deliberately not run")-->

{FENCE}python
print("skipped with a reason: counted as handled")
{FENCE}
"""


def test_guard_reports_every_python_block_that_is_not_run():
    missed = unexecuted_python_blocks(TRAPS, page_blocks(TRAPS, "traps.md"))
    assert [re.search(r'"(.*?):', code).group(1) for code in missed] == [
        "tilde fence",
        "console session",
    ]


def test_extraction_keeps_the_skip_marker_and_its_reason():
    blocks = page_blocks(TRAPS, "traps.md")
    skipped = [b for b in blocks if b.block.marks]
    assert len(blocks) == 5 and len(skipped) == 1  # plain, titled, tab, py, skipped
    assert "shown, deliberately not run" in skipped[0].block.marks[0]


# Speeds in prose must come from the claims registry or the results file: a number
# written against "×"/"x" (40×; not a shape like 3×3 or 6 × 6 × C) or "n times
# faster/slower" is a speed; in the Chinese edition, 快/慢 n 倍 too.
SPEED = re.compile(
    r"\d[\d,.]*(?:×|x\b)(?!\s*\d)|\d[\d,.]*\s+times\s+(?:faster|slower|more|less)"
    r"|[快慢]了?\s*\d[\d,.]*\s*倍|\d[\d,.]*\s*倍地?[快慢]",
    re.I,
)


def prose_speeds(text: str) -> list[str]:
    """Speed figures written by hand in a page's prose (code, math and tokens excluded)."""
    text = re.sub(r"^([ \t]*)(`{3,}|~{3,}).*?^\1\2", "", text, flags=re.S | re.M)
    text = re.sub(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\[\[[^\]]*\]\]", "", text, flags=re.S)
    return SPEED.findall(text)


def test_prose_speed_check_catches_a_hand_written_speedup():
    page = "It is 40× faster, 3×3 kernels stay, and [[floor:dot-1000]] is fine."
    assert prose_speeds(page) == ["40×"]
    assert prose_speeds("About 120 times faster.") == ["120 times faster"]
    assert prose_speeds("比循环快 120 倍，矩阵是输出的 441 倍。") == ["快 120 倍"]


@pytest.mark.parametrize("path", pages(), ids=page_name)
def test_no_page_writes_a_speed_by_hand(path):
    assert prose_speeds(path.read_text()) == []


def test_a_skip_without_a_reason_is_caught():
    page = f'<!--pytest.mark.skip-->\n\n{FENCE}python\nprint("no reason")\n{FENCE}\n'
    (block,) = page_blocks(page, "no-reason.md")
    assert marks_without_reason(block) == ["pytest.mark.skip"]


# Exercises: each chapter's live in includes/exercises/<page>.md, included at the end of the
# page; each solution is a collapsed admonition whose code is indented under it.
EXERCISES = sorted((ROOT / "includes" / "exercises").glob("*.md"))
SOLUTION = f"""
## Exercises

**Exercise 1.** What does this print?

??? success "Solution"

    Prose first, then the code, indented under the admonition:

    {FENCE}python
    total = 0
    for number in range(4):

        total += number
    print("sum:", total)
    {FENCE}

    <!--pytest-codeblocks:expected-output-->

    {FENCE}text
    sum: 6
    {FENCE}

1. In a numbered list, the admonition is indented twice:

    ??? success "Solution"

        {FENCE}python
        print("in a list: runs")
        {FENCE}
"""


def test_an_indented_solution_block_is_extracted_run_and_seen_by_the_guard():
    blocks = page_blocks(SOLUTION, "solution.md")
    assert [b.language for b in blocks] == ["python", "python"]
    first, in_list = (b.block for b in blocks)
    assert first.expected_output == "sum: 6\n"
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(first.code, "solution.md:1", "exec"), {"__name__": "__main__"})
    assert output.getvalue() == first.expected_output
    assert in_list.code == 'print("in a list: runs")\n'
    assert unexecuted_python_blocks(SOLUTION, blocks) == []


def test_exercise_includes_are_expanded_as_on_the_site():
    """An include line brings the exercise file's solutions, code and all, into the page."""
    (path, *_) = EXERCISES
    page = f'## Exercises\n\n--8<-- "includes/exercises/{path.name}"\n'
    assert '??? success "Solution"' in expand(page)
    blocks = page_blocks(page, "page.md")
    assert blocks and unexecuted_python_blocks(page, blocks) == []


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_every_exercise_file_is_included_by_its_page_once(path):
    """includes/exercises/<page>.md belongs at the end of docs/<page>.md, under Exercises;
    a file that no page includes would never be shown, nor its solutions run."""
    line = f'--8<-- "includes/exercises/{path.name}"'
    including = [p for p in sorted(DOCS.rglob("*.md")) if line in p.read_text()]
    assert [p.relative_to(DOCS).as_posix() for p in including] == [path.name]
    text = including[0].read_text()
    assert text.count(line) == 1
    assert "\n## Exercises\n" in text[: text.index(line)]


@pytest.mark.parametrize(
    "path", EXERCISES + sorted((ROOT / "includes" / "zh" / "exercises").glob("*.md")),
    ids=lambda p: p.relative_to(ROOT / "includes").as_posix(),
)
def test_exercises_write_no_speed_by_hand_and_use_no_figure_tokens(path):
    """The hooks replace [[...]] tokens in a page's own Markdown, before includes are
    expanded: in an included file they would be shown as they are."""
    text = path.read_text()
    assert prose_speeds(text) == []
    assert TOKEN.findall(text) == []
