"""The guards themselves: each must catch what it exists to catch."""

import re

import pytest

from book import DOCS
from book.codeblocks import marks_without_reason, page_blocks, unexecuted_python_blocks

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
# faster/slower" is a speed.
SPEED = re.compile(
    r"\d[\d,.]*(?:×|x\b)(?!\s*\d)|\d[\d,.]*\s+times\s+(?:faster|slower|more|less)",
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


@pytest.mark.parametrize("path", sorted(DOCS.rglob("*.md")), ids=lambda p: p.name)
def test_no_page_writes_a_speed_by_hand(path):
    assert prose_speeds(path.read_text()) == []


def test_a_skip_without_a_reason_is_caught():
    page = f'<!--pytest.mark.skip-->\n\n{FENCE}python\nprint("no reason")\n{FENCE}\n'
    (block,) = page_blocks(page, "no-reason.md")
    assert marks_without_reason(block) == ["pytest.mark.skip"]
