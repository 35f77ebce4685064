"""What the build writes into pages itself, in the language of the edition it builds.

The English edition (mkdocs.yml) and the Chinese one (mkdocs.zh.yml) share one set of
hooks. Each sentence the hooks write is an English template here with its Chinese twin;
`say` picks the one of the edition being built (`LANGUAGE`, set by book/hooks.py from the
theme's language). The measured tables' words (column headers, claims, captions, text
cells) are in includes/zh/tables.json; `table_text` looks them up. A template or a table
string with no Chinese fails the Chinese build (tests/test_editions.py checks them all).
"""

import json
import re
from pathlib import Path

from book import EDITIONS, ROOT

LANGUAGE = "en"
TABLES = ROOT / "includes" / "zh" / "tables.json"
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

ZH = {
    # the machine a figure was measured on (book/hooks.py)
    "Measured on {cpu} ({simd}), {cpus} logical CPUs, Python {python}, NumPy {numpy}, "
    "BLAS {blas}{kernels} with {threads} threads, on {date}.":
    "测量于 {cpu}（{simd}），{cpus} 个逻辑 CPU，Python {python}，NumPy {numpy}，"
    "BLAS {blas}{kernels}，{threads} 个线程，{date}。",
    ", {kernels},": "，{kernels}",
    "{cpu} ({simd}), {cpus} logical CPUs": "{cpu}（{simd}），{cpus} 个逻辑 CPU",
    "the machine": "机器",
    "yours": "你的机器",
    "Measured on": "测量机器：",
    "Yours: measured on": "你的机器：",
    "That is every measured figure on this page; how to read them: "
    "[Reading a measurement](conventions.md#reading-a-measurement).":
    "本页的每个测量数字都来自这台机器；怎样解读它们，见"
    "[解读测量结果](conventions.md#reading-a-measurement)。",
    # tables and claims
    "| Claim | BLAS threads | At least (checked by the tests on any machine) "
    "| Measured here |": "| 论断 | BLAS 线程 | 下限（测试在任何机器上检查） | 本页机器实测 |",
    " Yours |": " 你的机器 |",
    "1 vs all": "1 对全部",
    "Each claim is measured separately from the tables on this page (sometimes with a "
    "different number of threads), so a claim and a table can show slightly different "
    "ratios for the same comparison.":
    "每个论断都与本页的表格分开测量（有时线程数也不同），所以同一组比较，"
    "论断和表格给出的比值可能略有不同。",
    "_Measured on {link}._": "_测量于 {link}。_",
    "_Yours: measured on {link}._": "_你的机器：{link}。_",
    "| Quantity | Value |": "| 量 | 值 |",
    "{dtype}. Measured on {link}.": "{dtype}。测量于 {link}。",
    "not measured": "未测量",
    "at least {floor}×": "至少 {floor} 倍",
    "(yours: {ratio}, below the stated {floor}×)": "（你的机器：{ratio}，低于声明的 {floor}×）",
    "(yours: {ratio})": "（你的机器：{ratio}）",
    "Your machine (results.local.json)": "你的机器（results.local.json）",
    # downloads (book/hooks.py, book/downloads.py)
    "{n} module": "{n} 个模块",
    "{n} modules": "{n} 个模块",
    " and ": " 和 ",
    ", ": "、",
    "[Download: this chapter as a notebook and a script](downloads/{stem}.zip)"
    "{{ .md-button download={stem}.zip }} A .zip with the {modules} of `snippets/` they "
    "import; they need {packages} ([Take the book home](downloads.md)).":
    "[下载：本章的 Jupyter 笔记本和脚本](downloads/{stem}.zip)"
    "{{ .md-button download={stem}.zip }} 一个 .zip 文件，带着它们导入的 `snippets/` "
    "中的 {modules}；运行它们需要 {packages}（见[把书带回家](downloads.md)）。",
    " (and the {modules} they import)": "（以及它们导入的 {modules}）",
    " (and the {modules} it imports)": "（以及它导入的 {modules}）",
    "Needs {parts}: ": "需要 {parts}：",
    "in this chapter's download": "在本章的下载包中",
    "not made by this build (it needs Chromium)": "本次构建没有生成它（需要 Chromium）",
    "| Chapter | Download | Modules of `snippets/` in it |":
    "| 章 | 下载 | 其中 `snippets/` 的模块数 |",
    "| Program | What it shows | It imports from `snippets/` |":
    "| 程序 | 它演示什么（译自程序的文档字符串） | 它从 `snippets/` 导入 |",
    "nothing": "无",
    "| Source | Cited in | Checked |": "| 来源 | 引用于 | 核对日期 |",
    "not checked again": "未再次核对",
    # a chapter's notebook: its first cell, the note above a cell that needs a peer
    "The chapter [{title}]({url}) of *From Loops to Inner Products*, as a notebook: "
    "its text, and each of its code blocks as a cell, in the page's order.":
    "《从循环到内积》的[{title}]({url})一章，做成了 Jupyter 笔记本：正文，"
    "以及按页面顺序排列的每个代码块（各占一个单元格）。",
    "It needs Python 3.11 or newer and {packages} (`pip install {names}`)":
    "它需要 Python 3.11 或更新版本，以及 {packages}（`pip install {names}`）",
    ", and the {modules} beside it, which it imports from the book's `snippets/`: "
    "{files}.": "，还需要放在它旁边的 {modules}，它从本书的 `snippets/` 导入它们：{files}。",
    ".": "。",
    "The cells that need {peers} say so; they were not run when this notebook was "
    "built, and they are commented out in the script.":
    "需要 {peers} 的单元格都有说明；构建这个笔记本时没有运行它们，脚本中它们被注释掉了。",
    "The outputs are those of the run that built this notebook, with NumPy {numpy}; "
    "yours will differ in the timings. The figures quoted in the text are the site's. "
    "{machine}":
    "输出来自构建这个笔记本时的那次运行（NumPy {numpy}）；你运行时计时会不同。"
    "正文引用的数字是网站上的数字。{machine}",
    "*The next cell needs {package} (`pip install {name}`); without it, skip it. In the "
    "script it is commented out.*":
    "*下一个单元格需要 {package}（`pip install {name}`）；没有安装它就跳过这个单元格。"
    "脚本中它被注释掉了。*",
}


def docs_dir() -> Path:
    """The pages of the edition being built."""
    return EDITIONS[LANGUAGE][0]


def say(template: str, **fields) -> str:
    """`template` filled with `fields`, in the edition's language."""
    if LANGUAGE == "zh":
        template = ZH[template]
    return template.format(**fields) if fields else template


def count(n: int, noun: str) -> str:
    """`1 module`, `3 modules` (nouns that take an s)."""
    return say(f"{{n}} {noun}" if n == 1 else f"{{n}} {noun}s", n=n)


def join(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) < 2:
        return "".join(items)
    return say(", ").join(items[:-1]) + say(" and ") + items[-1]


def load_tables() -> dict[str, dict[str, str]]:
    return json.loads(TABLES.read_text())


def table_text(kind: str, english: str) -> str:
    """A table's header, claim, caption or text cell, or a program's summary in the
    downloads table (`kind`), in the edition's language;
    a text cell with no entry stays as it is (a size, a version, a layer's name)."""
    if LANGUAGE != "zh":
        return english
    entries = load_tables()[kind]
    if kind == "cells":
        return entries.get(english, english)
    return entries[english]


def join_han_lines(markdown: str) -> str:
    """A line break between two Chinese characters is no space in Chinese, but the
    browser shows one: join such lines (code blocks left alone)."""
    from book.codeblocks import FENCE, closing

    lines, end = markdown.split("\n"), None
    out: list[str] = []
    for line in lines:
        if end is None and (match := FENCE.match(line)):
            end = closing(match["fence"])
        elif end is not None:
            if end.match(line):
                end = None
        elif (out and HAN.search(out[-1][-1:]) and HAN.match(line.lstrip())
              and not out[-1].lstrip().startswith(("|", "#"))):
            out[-1] += line.lstrip()
            continue
        out.append(line)
    return "\n".join(out)
