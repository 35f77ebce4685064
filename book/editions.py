"""Compare an English page with its Chinese translation: what must stay identical.

The Chinese edition (docs-zh/, includes/zh/, mkdocs.zh.yml) translates the English one;
tests/test_editions.py checks every page and exercise file with this, and translators
check the page they work on:

    python -m book.editions docs/X.md docs-zh/X.md

Prints every difference and exits 1 if there is any:
- fenced code blocks: same count, info strings, content and order (the include of the
  exercises may point to includes/zh/exercises/ instead of includes/exercises/);
- [[tokens]], HTML comments (the test markers) and --8<-- lines: the same, in order;
- headings: the same levels in the same order, each Chinese one ending in { #id } with
  the id of the English one (its slug, or its own { #id });
- link targets, reference definitions and formulas: the same multisets.
"""

import re
import sys
from collections import Counter

from markdown.extensions.toc import slugify

from book.codeblocks import FENCE, closing

HAN = re.compile(r"[\u4e00-\u9fff]")


def fences(text: str) -> list[tuple[str, str]]:
    """(info string, content) of every fenced block, unindented."""
    lines, found, i = text.split("\n"), [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, end = len(match["indent"]), closing(match["fence"])
        j = i + 1
        while j < len(lines) and not end.match(lines[j]):
            j += 1
        found.append((match["info"].strip(), "\n".join(x[indent:] for x in lines[i + 1 : j])))
        i = j + 1
    return found


def outside_code(text: str) -> str:
    kept, end = [], None
    for line in text.split("\n"):
        if end is None and (match := FENCE.match(line)):
            end = closing(match["fence"])
        elif end is not None and end.match(line):
            end = None
        elif end is None:
            kept.append(line)
    return "\n".join(kept)


def headings(text: str) -> list[tuple[int, str, bool]]:
    """(level, id, whether the id is written out) of every heading."""
    found = []
    for match in re.finditer(r"^(#{1,6}) (.+?)\s*$", outside_code(text), re.M):
        title = match[2]
        explicit = re.search(r"\{\s*#([\w-]+)\s*\}\s*$", title)
        if explicit:
            found.append((len(match[1]), explicit[1], True))
        else:
            plain = re.sub(r"[`*_]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title))
            found.append((len(match[1]), slugify(plain, "-"), False))
    return found


def math(text: str) -> Counter:
    """Every $$display$$ and $inline$ formula (a line break inside one is a space)."""
    display = re.findall(r"\$\$.*?\$\$", text, re.S)
    inline = re.findall(r"\$[^$]+\$", re.sub(r"\$\$.*?\$\$", "", text, flags=re.S))
    return Counter(" ".join(formula.split()) for formula in display + inline)


def as_chinese(text: str) -> str:
    return text.replace("includes/exercises/", "includes/zh/exercises/")


def differences(en: str, zh: str) -> list[str]:
    problems = []
    en_fences, zh_fences = [(i, as_chinese(c)) for i, c in fences(en)], fences(zh)
    if len(en_fences) != len(zh_fences):
        problems.append(f"code blocks: {len(en_fences)} in English, {len(zh_fences)} in Chinese")
    for number, (a, b) in enumerate(zip(en_fences, zh_fences, strict=False), 1):
        if a != b:
            problems.append(f"code block {number} differs:\n en {a[0]}\n{a[1][:300]}"
                            f"\n zh {b[0]}\n{b[1][:300]}")
    en_text, zh_text = outside_code(en), outside_code(zh)
    for name, pattern, flags in [
        ("tokens", r"\[\[[^\]]+\]\]", 0),
        ("HTML comments", r"<!--.*?-->", re.S),
        ("--8<-- lines", r"^[ \t]*--8<--[^\n]*$", re.M),
    ]:
        a = [as_chinese(x) for x in re.findall(pattern, en_text, flags)]
        b = re.findall(pattern, zh_text, flags)
        if a != b:
            problems.append(f"{name} differ:\n en {a}\n zh {b}")
    for name, pattern in [
        ("link targets", r"\]\(([^)\s]+)"),
        ("reference definitions", r"^\[(?!\^)[^\]]+\]:\s*(\S+)"),
    ]:
        a = Counter(re.findall(pattern, en_text, re.M))
        b = Counter(re.findall(pattern, zh_text, re.M))
        if a != b:
            problems.append(f"{name} differ: only en {dict(a - b)}, only zh {dict(b - a)}")
    if math(en_text) != math(zh_text):
        a, b = math(en_text), math(zh_text)
        problems.append(f"math differs: only en {dict(a - b)}, only zh {dict(b - a)}")
    en_ids = [(level, id_) for level, id_, _ in headings(en)]
    zh_ids = [(level, id_) for level, id_, _ in headings(zh)]
    if en_ids != zh_ids:
        problems.append(f"headings differ:\n en {en_ids}\n zh {zh_ids}")
    unnamed = [id_ for _, id_, explicit in headings(zh) if not explicit]
    if unnamed:
        problems.append(f"Chinese headings without an explicit {{ #id }}: {unnamed}")
    if not HAN.search(zh):
        problems.append("no Chinese text")
    return problems


def main() -> None:
    with open(sys.argv[1]) as en, open(sys.argv[2]) as zh:
        problems = differences(en.read(), zh.read())
    print("\n".join(problems) or "OK: same code, tokens, comments, links, math, headings")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
