"""The two editions are the same book: the same pages, code, figures and claims.

The Chinese pages (docs-zh/, includes/zh/) translate the English ones; what must not
differ is checked by book/editions.py (code blocks, tokens, test markers, includes,
links, formulas, headings and their ids). The sentences the build writes itself, and the
words of the measured tables, must all exist in Chinese (book/words.py).
"""

import ast
import json
import posixpath
import re
import zipfile
from collections import Counter

import jupytext
import pytest
from mkdocs.config import load_config

from book import EDITIONS, ROOT, SNIPPETS, words
from book.claims import BY_ID, CLAIMS, Table, dtype_of
from book.downloads import program_summary
from book.editions import differences
from book.words import ZH, join_han_lines, load_tables

EN, ZH_DOCS = EDITIONS["en"][0], EDITIONS["zh"][0]
EXERCISES, ZH_EXERCISES = ROOT / "includes" / "exercises", ROOT / "includes" / "zh" / "exercises"


def relative(folder, pattern: str) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob(pattern)}


def test_every_page_has_its_translation_and_no_more():
    assert relative(ZH_DOCS, "*.md") == relative(EN, "*.md")
    assert relative(ZH_DOCS, "notebooks/*.py") == relative(EN, "notebooks/*.py")
    assert relative(ZH_EXERCISES, "*.md") == relative(EXERCISES, "*.md")


def nav_shape(nav) -> list:
    """The nav with its titles left out: its sections and their pages, in order."""
    if isinstance(nav, str):
        return nav
    if isinstance(nav, dict):
        return [nav_shape(v) for v in nav.values()]
    return [nav_shape(item) for item in nav]


def nav_titles(nav) -> list[str]:
    if isinstance(nav, str):
        return []
    if isinstance(nav, dict):
        return [t for key, value in nav.items() for t in [key, *nav_titles(value)]]
    return [t for item in nav for t in nav_titles(item)]


def test_both_editions_have_the_same_nav_with_translated_titles():
    en = load_config(str(EDITIONS["en"][1]))
    zh = load_config(str(EDITIONS["zh"][1]))
    assert nav_shape(zh["nav"]) == nav_shape(en["nav"])
    titles = nav_titles(zh["nav"])
    assert len(titles) == len(nav_titles(en["nav"]))
    assert all(re.search(r"[\u4e00-\u9fff]", t) for t in titles), titles
    assert zh["theme"]["language"] == "zh"
    assert zh["docs_dir"].endswith("docs-zh")
    assert zh["site_url"] == en["site_url"] + "zh/"


@pytest.mark.parametrize("page", sorted(relative(EN, "*.md")))
def test_each_page_and_its_translation_agree(page):
    problems = differences((EN / page).read_text(), (ZH_DOCS / page).read_text())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(relative(EXERCISES, "*.md")))
def test_each_exercise_file_and_its_translation_agree(name):
    problems = differences((EXERCISES / name).read_text(), (ZH_EXERCISES / name).read_text())
    assert not problems, "\n".join(problems)


def test_the_parity_check_catches_drift():
    english = "# Title\n\nText [[floor:x]].\n\n```python\nprint(1)\n```\n\n## Part\n"
    chinese = (
        "# 标题 { #title }\n\n正文 [[floor:x]]。\n\n```python\nprint(1)\n```\n\n"
        "## 部分 { #part }\n"
    )
    assert differences(english, chinese) == []
    assert differences(english, chinese.replace("print(1)", "print(2)"))
    assert differences(english, chinese.replace("[[floor:x]]", "[[floor:y]]"))
    assert differences(english, chinese.replace("{ #part }", "{ #other }"))
    assert differences(english, chinese.replace("## 部分 { #part }\n", ""))


@pytest.mark.parametrize("stem", sorted(p.stem for p in (EN / "notebooks").glob("*.py")))
def test_the_chinese_notebook_page_has_only_the_english_cells_words(stem):
    """Its code is the English notebook's (book/hooks.py puts them together): the
    translation holds one Markdown cell for each of the English ones, and no code."""
    english = jupytext.read(EN / "notebooks" / f"{stem}.py").cells
    chinese = jupytext.read(ZH_DOCS / "notebooks" / f"{stem}.py").cells
    prose = [c for c in english if c.cell_type == "markdown"]
    assert [c.cell_type for c in chinese] == ["markdown"] * len(prose)
    assert all(re.search(r"[\u4e00-\u9fff]", c.source) for c in chinese)


def strings_said() -> tuple[set[str], set[str]]:
    """The templates passed to `say` in book/, and every string constant there."""
    said, constants = set(), set()
    for path in (ROOT / "book").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            if (isinstance(node, ast.Call) and node.args
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) == "say"
                    and isinstance(node.args[0], ast.Constant)):
                said.add(node.args[0].value)
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "count"
                    and len(node.args) == 2 and isinstance(node.args[1], ast.Constant)):
                said |= {f"{{n}} {node.args[1].value}", f"{{n}} {node.args[1].value}s"}
    return said, constants


def test_every_sentence_the_build_writes_exists_in_chinese():
    said, constants = strings_said()
    assert said, "no call of say() found"
    assert sorted(said - ZH.keys()) == []
    # and no Chinese is kept for an English sentence that the code no longer writes
    assert sorted(k for k in ZH if k not in constants and not k.startswith("{n} ")) == []


def test_the_chinese_keeps_each_sentences_fields():
    for english, chinese in ZH.items():
        assert set(re.findall(r"\{\w*\}", english)) == set(re.findall(r"\{\w*\}", chinese)), english


def test_every_word_of_the_tables_exists_in_chinese():
    """The measured tables' headers, claims and captions, and the programs' summaries in
    the downloads table: each has its Chinese, and no Chinese is left for a word gone."""
    tables = load_tables()
    headers = {c.header for t in BY_ID.values() if isinstance(t, Table) for c in t.columns}
    wanted = {
        "headers": headers,
        "claims": {c.what for c in CLAIMS},
        "captions": {dtype_of(t) for t in BY_ID.values()},
        "programs": {program_summary(p.read_text()) for p in SNIPPETS.glob("*.py")},
    }
    for kind, english in wanted.items():
        assert sorted(english - tables[kind].keys()) == [], kind
        assert sorted(tables[kind].keys() - english) == [], f"{kind}: stale (not in the book)"


def test_the_chinese_glossary_defines_every_english_term():
    english = re.findall(r"^\*\[(.+?)\]:", (ROOT / "includes" / "glossary.md").read_text(), re.M)
    chinese = re.findall(r"^\*\[(.+?)\]:", (ROOT / "includes" / "zh" / "glossary.md").read_text(),
                         re.M)
    assert set(english) <= set(chinese)
    assert all(t in english or re.search(r"[\u4e00-\u9fff]", t) for t in chinese)


def test_lines_are_joined_between_chinese_characters_only():
    code = "```python\nx = 1  # 中\n# 文\n```\n| 表 |\n| 格 |"
    text = "第一行\n第二行，\n继续 NumPy\n下一行\n\n" + code
    assert join_han_lines(text) == "第一行第二行，继续 NumPy\n下一行\n\n" + code


# --- the built editions (the `site` fixture builds both: zh/ is the Chinese one) ---------

HOOKS_ENGLISH = ["Measured on", "logical CPUs", "at least ", "Download: this chapter",
                 "Needs ", "in this chapter's download", "not measured", "Each claim is"]


def zh_pages(site) -> list:
    return [p for p in (site / "zh").rglob("*.html") if "print_page" not in p.parts]


def test_every_chinese_page_is_built_in_chinese(site):
    for md in ZH_DOCS.rglob("*.md"):
        src = md.relative_to(ZH_DOCS).as_posix()
        page = site / "zh" / (src[: -len(".md")] + "/index.html").removeprefix("index/")
        assert '<html lang="zh"' in page.read_text(), src
    assert (site / "zh" / "notebooks" / "inner_products" / "index.html").exists()


def test_every_page_links_the_same_page_in_each_edition(site):
    """The switcher on every page of both editions: English at the root, 中文 at zh/,
    each link to the page the reader is on."""
    for page in site.rglob("*.html"):
        if page.name == "404.html" or "print_page" in page.parts:
            continue
        path = page.relative_to(site).as_posix()
        english = path.removeprefix("zh/")
        text = page.read_text()
        links = {
            lang: posixpath.normpath(posixpath.join(posixpath.dirname(path), href))
            for href, lang in re.findall(r'<a href="([^"]*)" hreflang="(\w+)"', text)
        }
        expected = {"en": posixpath.dirname(english), "zh": posixpath.dirname("zh/" + english)}
        assert links == {k: posixpath.normpath(v or ".") for k, v in expected.items()}, (
            path, links)
        assert '<link rel="alternate"' not in text, path  # the theme would fetch sitemaps


def test_the_chinese_pages_carry_no_english_from_the_build(site):
    for page in zh_pages(site):
        text = re.sub(r"<(pre|code|script)\b.*?</\1>", "", page.read_text(), flags=re.S)
        text = re.sub(r"<[^>]+>", "", text)
        found = [phrase for phrase in HOOKS_ENGLISH if phrase in text]
        assert found == [], (page, found)


def test_a_chinese_chapter_shows_its_figures_in_chinese(site):
    text = (site / "zh" / "dot-optimization" / "index.html").read_text()
    assert text.count('id="machine"') == 1
    assert "测量机器：" in text and "个逻辑 CPU" in text
    assert "<th>比值</th>" in text or ">比值</th>" in text
    assert 'download="dot-optimization.zip"' in text and "下载：本章的 Jupyter 笔记本" in text
    chapter = (site / "zh" / "inner-products" / "index.html").read_text()
    assert re.search(r"至少快 [\d.]+ 倍", chapter)  # 快[[floor:ID]], as Chinese says it
    # a Chinese glossary term is marked where the page first uses it
    assert re.search(r'<abbr title="[^"]+">缓存</abbr>', text)


def test_each_chinese_term_is_marked_once_a_page(site):
    """Where the page first uses it (the abbr extension would also mark it wherever it
    meets punctuation, and nowhere else)."""
    twice = {}
    for page in zh_pages(site):
        marked = re.findall(r'<abbr title="[^"]*">([^<]*)</abbr>', page.read_text())
        chinese = Counter(term for term in marked if words.HAN.search(term))
        twice.update({(page.parent.name, t): n for t, n in chinese.items() if n > 1})
    assert twice == {}


def test_the_chinese_search_index_is_cut_into_words(site):
    index = json.loads((site / "zh" / "search" / "search_index.json").read_text())
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "\u200b内积\u200b" in text  # jieba's words, split by the separator


def test_the_chinese_downloads_run_the_same_code_with_the_same_outputs(site):
    import nbformat

    from book.downloads import chapters, notebook_name

    for page in chapters():
        stem = page.removesuffix(".md")
        notebooks, names = [], []
        for root in (site, site / "zh"):
            with zipfile.ZipFile(root / "downloads" / f"{stem}.zip") as archive:
                notebooks.append(nbformat.reads(archive.read(notebook_name(stem)).decode(), 4))
                names.append(sorted(archive.namelist()))
        assert names[0] == names[1], page  # the same modules and figures
        code = [[(c.source, c.outputs) for c in n.cells if c.cell_type == "code"]
                for n in notebooks]
        assert code[0] == code[1], page
        prose = [c.source for c in notebooks[1].cells if c.cell_type == "markdown"]
        assert all(re.search(r"[\u4e00-\u9fff]", p) for p in prose[:2]), page


def test_the_chinese_notebook_page_ran_the_english_code(site):
    """The Chinese notebook page: Chinese text, the English notebook's code, executed at
    build time, and its .ipynb download holds the same code cells as the English one."""
    import nbformat

    page = (site / "zh" / "notebooks" / "inner_products" / "index.html").read_text()
    assert "jp-OutputArea" in page and "32.0" in page and "Jupyter 笔记本：内积" in page
    notebooks = [nbformat.read(root / "notebooks" / "inner_products.ipynb", as_version=4)
                 for root in (site, site / "zh")]
    code = [[c.source for c in n.cells if c.cell_type == "code"] for n in notebooks]
    assert code[0] == code[1] and code[0]
