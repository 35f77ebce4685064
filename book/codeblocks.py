"""Find the code blocks of every page, as the site shows them, so the tests can run them.

pytest-codeblocks alone would miss most of this book's code: it does not expand
pymdownx.snippets includes (`--8<--`), and it ignores fences whose info string is not
exactly `python` (`python title="..."`, `py`). So each page is first expanded by the
same pymdownx.snippets extension, configured from `mkdocs.yml`, that builds the site;
then pytest-codeblocks' own parser reads the expanded text, and every block whose
language is Python, sh or bash is returned with its markers (skip, expected output).

`unexecuted_python_blocks` is the guard: it renders a page with the site's own Markdown
configuration and returns every block the reader sees highlighted as Python that the
extraction did not return. Whatever the fence looks like (`~~~`, inside tabs or
admonitions), if it shows as Python on the site, the tests must run it or say why not.
"""

import contextlib
import html
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown
from mkdocs.config import load_config
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from pytest_codeblocks.main import CodeBlock, extract_from_buffer

from book import EDITIONS, ROOT

SHELLS = {"sh", "bash"}
# Fences run as Python. Anything else Pygments colours as Python (a `pycon` session,
# a traceback) cannot run as it stands, so the guard reports it unless it is marked.
RUNNABLE_PYTHON = {"Python", "Python 2.x"}
# A fenced block's opening line (any indentation), and the line that closes it.
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def closing(fence: str) -> re.Pattern:
    """The closing line of a block opened by `fence` (the same character, as many)."""
    return re.compile(rf"^ *{re.escape(fence[0])}{{{len(fence)},}}\s*$")


HIGHLIGHTED = re.compile(r'<div class="language-([\w+-]+) highlight">.*?<code>(.*?)</code>', re.S)
TAG = re.compile(r"<[^>]+>")


@dataclass
class PageBlock:
    page: str  # path relative to docs/ (the Chinese edition's: zh/ and the path in docs-zh/)
    index: int  # 1-based position among the page's runnable blocks
    language: str  # "python", "sh" or "bash"
    block: CodeBlock  # code, line in the expanded page, marks, expected output

    @property
    def id(self) -> str:
        return f"{self.page}:{self.index}"


@cache
def site_markdown_config() -> tuple[list, dict]:
    """The Markdown extensions and their configuration, read from mkdocs.yml."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    return config["markdown_extensions"], config["mdx_configs"]


def new_markdown() -> markdown.Markdown:
    extensions, configs = site_markdown_config()
    return markdown.Markdown(extensions=extensions, extension_configs=configs)


def expand(text: str) -> str:
    """Replace every `--8<--` include as the site does (same extension, same options)."""
    snippets = new_markdown().preprocessors["snippet"]
    with contextlib.chdir(ROOT):  # base_path "." is the repository, as for `mkdocs build`
        return "\n".join(snippets.run(text.split("\n")))


def language(info: str | None) -> str:
    """The language of a fence info string: 'python title="x"' and '{.py}' -> python."""
    match = re.match(r"\{?\.?([\w+-]+)", info or "")
    if match is None:
        return ""
    name = match.group(1).lower()
    return "python" if lexer_name(name) in RUNNABLE_PYTHON else name


def lexer_name(name: str) -> str:
    """The Pygments lexer that colours fences of language `name` on the site."""
    try:
        return get_lexer_by_name(name).name
    except ClassNotFound:
        return ""


def page_blocks(text: str, page: str) -> list[PageBlock]:
    """The runnable (Python, sh, bash) blocks of one page's Markdown, includes expanded."""
    blocks = extract_from_buffer(io.StringIO(expand(text)))
    runnable = [b for b in blocks if language(b.syntax) in SHELLS | {"python"}]
    return [PageBlock(page, i, language(b.syntax), b) for i, b in enumerate(runnable, 1)]


def pages() -> list[Path]:
    """Every page of both editions (docs/, docs-zh/)."""
    return sorted(path for docs, _ in EDITIONS.values() for path in docs.rglob("*.md"))


def page_name(path: Path) -> str:
    """`inner-products.md` in docs/, `zh/inner-products.md` in docs-zh/."""
    for language, (docs, _) in EDITIONS.items():
        if path.is_relative_to(docs):
            name = path.relative_to(docs).as_posix()
            return name if language == "en" else f"{language}/{name}"
    raise ValueError(f"{path} is in no edition")


def all_blocks() -> list[PageBlock]:
    return [
        block for path in pages() for block in page_blocks(path.read_text(), page_name(path))
    ]


def distinct_blocks() -> list[list[PageBlock]]:
    """The blocks of both editions, those that are the same block (same language, code,
    markers and expected output) together: it runs once for all the pages that show it.
    A Chinese page shows the same code as its English page (tests/test_editions.py)."""
    groups: dict[tuple, list[PageBlock]] = {}
    for block in all_blocks():
        b = block.block
        key = (block.language, b.code, tuple(b.marks), b.expected_output, b.importorskip)
        groups.setdefault(key, []).append(block)
    return list(groups.values())


def rendered_python_blocks(text: str) -> list[str]:
    """The code of every block that the site shows highlighted as Python."""
    with contextlib.chdir(ROOT):
        rendered = new_markdown().convert(text)
    return [
        html.unescape(TAG.sub("", code))
        for lang, code in HIGHLIGHTED.findall(rendered)
        if "python" in lexer_name(lang).lower()
    ]


def marks_without_reason(block: PageBlock) -> list[str]:
    """The skip markers of a block that do not say why (`reason="..."`)."""
    return [m for m in block.block.marks if not re.search(r"reason\s*=\s*['\"].+['\"]", m)]


def without_blank_lines(code: str) -> str:
    # pytest-codeblocks drops the blank lines of an indented block (in a tab or an
    # admonition), so blocks are compared without them.
    return "\n".join(line.rstrip() for line in code.splitlines() if line.strip())


def unexecuted_python_blocks(text: str, collected: list[PageBlock]) -> list[str]:
    """Python blocks of a page (its Markdown `text`) that no collected block contains."""
    codes = [without_blank_lines(b.block.code) for b in collected if b.language == "python"]
    return [
        code
        for code in rendered_python_blocks(text)
        if not any(without_blank_lines(code) in collected_code for collected_code in codes)
    ]
