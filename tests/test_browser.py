"""The site as readers meet it: every page in a real (headless) Chromium, offline.

Uses Debian's chromium and chromium-driver (installed by .ci/run, see the README)
through Selenium, pointed at those binaries so that nothing is downloaded. Without
them, these tests are skipped with a message saying so.
"""

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from book import RESULTS, ROOT
from book.pdf import (
    CHROMEDRIVER,
    CHROMIUM,
    PDF_NAME,
    new_driver,
    offsite,
    page_requests,
    print_pdf,
    serve,
)

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip(
        "no Chromium: install Debian's chromium and chromium-driver (see README)",
        allow_module_level=True,
    )
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SCREENSHOTS = ROOT / "tests" / "screenshots"  # for a reviewer to look at (git-ignored)
COPY_BUTTON = "button.md-code__button[data-md-type='copy']"


@pytest.fixture(scope="module")
def base_url(site: Path):
    """The built site, served on 127.0.0.1 at a free port."""
    server, url = serve(site)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium that makes no connection of its own (book/pdf.py sets it up)."""
    driver = new_driver(str(tmp_path_factory.mktemp("chromium")))
    yield driver
    driver.quit()


def visit(browser, url: str) -> dict:
    """Load a page; return its requests, failed requests and console errors."""
    page_requests(browser)  # drop what earlier pages left
    browser.get_log("browser")
    browser.get(url)
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )
    time.sleep(0.3)  # let the theme's scripts finish (copy buttons, search index)
    requests, failed = page_requests(browser)
    errors = [log["message"] for log in browser.get_log("browser") if log["level"] == "SEVERE"]
    return {"requests": requests, "failed": failed, "errors": errors}


def next_frames(browser) -> None:
    """Wait for the page's next two frames: what its scripts do on an event before a
    frame (a resize, a click) is done, and the page laid out again."""
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(done));"
    )


def page_urls(site: Path, base_url: str) -> list[str]:
    return [
        base_url + page.relative_to(site).as_posix().removesuffix("index.html")
        for page in sorted(site.rglob("index.html"))
    ]


def test_the_offsite_check_sees_a_request_to_another_host(site, base_url, browser):
    """Not vacuous: a page that loads an image from elsewhere is caught."""
    page = site / "offsite-probe.html"
    page.write_text('<img src="http://example.invalid/probe.png" alt="probe">')
    try:
        seen = visit(browser, base_url + "offsite-probe.html")
    finally:
        page.unlink()
    assert offsite(seen["requests"], base_url) == ["http://example.invalid/probe.png"]
    assert seen["failed"]


@pytest.fixture(scope="module")
def every_page(site, base_url, browser, tmp_path_factory) -> dict[str, dict]:
    """Each page of both editions visited once: what it loaded and showed at 1280
    pixels, then its widths on a 375-pixel screen (the same page, the window made
    narrow). The Chinese edition in a second browser, at the same time."""
    # not the print pages (the whole book, once more): printing them is checked by the
    # build (a request to another host fails it) and by the PDF tests
    urls = [url for url in page_urls(site, base_url) if not url.endswith("/print_page/")]
    chinese = [url for url in urls if url.startswith(base_url + "zh/")]
    second = new_driver(str(tmp_path_factory.mktemp("chromium-zh")))
    try:
        with ThreadPoolExecutor(2) as pool:
            halves = pool.map(
                visit_each, [browser, second],
                [[url for url in urls if url not in chinese], chinese],
            )
            seen = {url: loaded for half in halves for url, loaded in half.items()}
    finally:
        second.quit()
    return seen


def visit_each(browser, urls: list[str]) -> dict[str, dict]:
    seen = {}
    for url in urls:
        browser.set_window_size(1280, 900)
        loaded = visit(browser, url)
        loaded["state"] = browser.execute_script(
            """
            const text = document.body.innerText;
            const blocks = document.querySelectorAll('div.highlight pre');
            const buttons = document.querySelectorAll(arguments[0]);
            const images = Array.from(document.querySelectorAll('article img'));
            return {
              rawTex: /\\\\\\(|\\\\\\[|\\$\\$/.test(text),
              blocks: blocks.length, buttons: buttons.length,
              badImages: images.filter(i => !i.complete || i.naturalWidth === 0
                                             || !i.alt.trim()).map(i => i.src),
            };""",
            COPY_BUTTON,
        )
        browser.set_window_size(375, 800)
        next_frames(browser)  # the theme's resize handlers have run
        loaded["narrow"] = browser.execute_script(
            "return [document.documentElement.scrollWidth,"
            " document.documentElement.clientWidth]"
        )
        seen[url] = loaded
    browser.set_window_size(1280, 900)
    return seen


def test_every_page_loads_offline_cleanly(base_url, every_page):
    problems = {}
    for url, seen in every_page.items():
        state = seen["state"]
        issues = {
            "off-site requests": offsite(seen["requests"], base_url),
            "failed requests": seen["failed"],
            "console errors": seen["errors"],
            "raw TeX visible": state["rawTex"],
            "code blocks without a copy button": state["blocks"] - state["buttons"],
            "images not loaded or without alt text": state["badImages"],
        }
        issues = {name: value for name, value in issues.items() if value}
        if issues:
            problems[url] = issues
    assert problems == {}


@pytest.mark.parametrize(("edition", "query"), [("", "vdot"), ("zh/", "内积")],
                         ids=["en", "zh"])
def test_search_finds_the_inner_products_chapter(base_url, browser, edition, query):
    """In the Chinese edition, a word (jieba cut the index into words), not characters."""
    visit(browser, base_url + edition)
    box = browser.find_element(By.CSS_SELECTOR, ".md-search__input")
    browser.execute_script("arguments[0].focus()", box)
    box.send_keys(query)
    WebDriverWait(browser, 10).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".md-search-result__link")
    )
    links = [
        a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, ".md-search-result__link")
    ]
    assert any(link.startswith(f"{base_url}{edition}inner-products/") for link in links), links


@pytest.mark.parametrize(("page", "language", "other"),
                         [("dot-optimization/", "English", "zh/dot-optimization/"),
                          ("zh/dot-optimization/", "中文", "dot-optimization/")],
                         ids=["en", "zh"])
def test_the_switcher_goes_to_the_same_page_in_the_other_edition(
    base_url, browser, page, language, other
):
    visit(browser, base_url + page)
    browser.find_element(By.CSS_SELECTOR, ".md-header__option .md-select button").click()
    target = "中文" if language == "English" else "English"
    link = next(a for a in browser.find_elements(By.CSS_SELECTOR, "a.md-select__link")
                if a.get_attribute("textContent").strip() == target)
    browser.execute_script("arguments[0].click()", link)
    WebDriverWait(browser, 10).until(lambda b: b.current_url != base_url + page)
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )
    assert browser.current_url == base_url + other
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == (
        "zh" if other.startswith("zh/") else "en"
    )


def test_dark_mode_toggle_switches_the_palette(base_url, browser):
    visit(browser, base_url + "conventions/")
    scheme = "return document.body.getAttribute('data-md-color-scheme')"
    before = browser.execute_script(scheme)
    toggle = browser.find_element(By.CSS_SELECTOR, "form[data-md-component='palette'] label")
    toggle.click()
    WebDriverWait(browser, 5).until(lambda b: b.execute_script(scheme) != before)
    assert {before, browser.execute_script(scheme)} == {"default", "slate"}
    browser.find_element(  # back to light for the other tests
        By.CSS_SELECTOR, "form[data-md-component='palette'] label:not([hidden])"
    ).click()


@pytest.mark.parametrize("edition", ["", "zh/"], ids=["en", "zh"])
def test_copy_button_copies_exactly_the_code(base_url, browser, edition):
    visit(browser, base_url + edition + "inner-products/")
    browser.execute_script(
        "window.__copied = null; document.addEventListener('copy', () => {"
        " window.__copied = document.getSelection().toString(); }, true);"
    )
    button = browser.find_elements(By.CSS_SELECTOR, COPY_BUTTON)[1]
    target = button.get_attribute("data-clipboard-target")
    block = browser.find_element(By.CSS_SELECTOR, target)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", block)
    # a real click (a user gesture): the browser refuses to copy for a scripted one
    ActionChains(browser).move_to_element(block).move_to_element(button).click().perform()
    WebDriverWait(browser, 5).until(lambda b: b.execute_script("return window.__copied"))
    copied = browser.execute_script("return window.__copied")
    code = browser.execute_script("return document.querySelector(arguments[0]).innerText", target)
    assert copied.strip() == code.strip() and "dot_loop" in copied


def test_glossary_terms_show_their_definition_on_hover(base_url, browser):
    """A glossary term on a chapter: the theme's tooltip shows its definition."""
    visit(browser, base_url + "simd-blas-threads/")
    terms = browser.find_elements(By.CSS_SELECTOR, "article abbr")
    term = next(t for t in terms if t.text == "BLAS")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", term)
    ActionChains(browser).move_to_element(term).perform()
    tooltip = "div.md-tooltip2--active"
    WebDriverWait(browser, 5).until(lambda b: b.find_elements(By.CSS_SELECTOR, tooltip))
    shown = browser.find_element(By.CSS_SELECTOR, tooltip)
    assert shown.is_displayed() and shown.text.startswith("Basic Linear Algebra Subprograms")
    assert {"GEMM", "SIMD", "FMA"} <= {t.text for t in terms}


def test_chinese_glossary_terms_show_their_definition_on_hover(base_url, browser):
    """The abbr extension cannot see a Chinese word (no word boundaries): the hook marks
    the first use of each Chinese term, and the theme shows the same tooltip."""
    visit(browser, base_url + "zh/dot-optimization/")
    term = next(t for t in browser.find_elements(By.CSS_SELECTOR, "article abbr")
                if t.text == "缓存")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", term)
    ActionChains(browser).move_to_element(term).perform()
    tooltip = "div.md-tooltip2--active"
    WebDriverWait(browser, 5).until(lambda b: b.find_elements(By.CSS_SELECTOR, tooltip))
    assert browser.find_element(By.CSS_SELECTOR, tooltip).text.startswith("靠近 CPU")


@pytest.mark.parametrize(
    ("edition", "synthesis"), [("", "weight style small-caps"), ("zh/", "none")]
)
def test_chinese_emphasis_is_not_slanted(base_url, browser, edition, synthesis):
    """Chinese fonts have no italics: in the Chinese edition the browser may not slant
    emphasised characters (zh.css); the English edition keeps the theme's emphasis."""
    visit(browser, base_url + edition + "allocator/")
    emphasis = browser.find_element(By.CSS_SELECTOR, "article p em")
    style = browser.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.fontStyle, s.fontSynthesis]",
        emphasis,
    )
    assert style == ["italic", synthesis]


def test_notebook_page_has_outputs_and_a_valid_download(base_url, browser):
    visit(browser, base_url + "notebooks/inner_products/")
    outputs = browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")
    assert outputs and "32.0" in outputs[0].text
    link = browser.find_element(By.CSS_SELECTOR, "a[href$='inner_products.ipynb']")
    with urllib.request.urlopen(link.get_attribute("href")) as response:
        notebook = nbformat.reads(response.read().decode(), as_version=4)
    nbformat.validate(notebook)


def test_a_figure_opens_full_screen_and_zooms(base_url, browser):
    """Click a figure: GLightbox (served from the site) shows it over the page, larger
    than in the text; Escape closes it."""
    visit(browser, base_url + "dot-optimization/")
    figure = next(
        f for f in browser.find_elements(By.CSS_SELECTOR, "article a.glightbox img")
        if f.is_displayed()  # the light figure: the dark one is hidden in light mode
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", figure)
    width = figure.size["width"]
    figure.click()
    shown = ".glightbox-container .gslide.current .gslide-image img"
    WebDriverWait(browser, 5).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, shown)
        and b.find_element(By.CSS_SELECTOR, shown).is_displayed()
    )
    image = browser.find_element(By.CSS_SELECTOR, shown)
    assert "-light.svg" in image.get_attribute("src") and image.size["width"] > 1.2 * width
    ActionChains(browser).send_keys("\ue00c").perform()  # Escape
    WebDriverWait(browser, 5).until(
        lambda b: not b.find_elements(By.CSS_SELECTOR, ".glightbox-container")
    )


def test_a_chapter_offers_its_notebook_and_script(base_url, browser):
    """The link under a chapter's question downloads a zip with the notebook, the
    script and the modules they import."""
    visit(browser, base_url + "part2-gemm/")
    link = browser.find_element(By.CSS_SELECTOR, "article a[href$='downloads/part2-gemm.zip']")
    assert link.is_displayed() and link.get_attribute("download") == "part2-gemm.zip"
    with urllib.request.urlopen(link.get_attribute("href")) as response:
        names = zipfile.ZipFile(io.BytesIO(response.read())).namelist()
    assert {"part2-gemm/chapter-part2-gemm.ipynb", "part2-gemm/conv_im2col.py"} <= set(names)


def test_narrow_screen_has_no_horizontal_page_scroll(every_page):
    wide = {
        url: seen["narrow"]
        for url, seen in every_page.items()
        if seen["narrow"][0] > seen["narrow"][1]
    }
    assert wide == {}


def test_screenshots_for_review(base_url, browser):
    SCREENSHOTS.mkdir(exist_ok=True)
    pages = (("home", ""), ("chapter", "inner-products/"), ("chapter-zh", "zh/inner-products/"))
    for name, path in pages:
        for scheme in ("light", "dark"):
            visit(browser, base_url + path)
            browser.execute_script(
                "document.body.setAttribute('data-md-color-scheme', arguments[0])",
                "slate" if scheme == "dark" else "default",
            )
            assert browser.save_screenshot(str(SCREENSHOTS / f"{name}-{scheme}.png"))


@pytest.fixture(scope="module")
def served_with_local_figures(fake_local_results):
    """`mkdocs serve` as a reader runs it after `python -m book.results --local`."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1",
             "BOOK_LOCAL_RESULTS": str(fake_local_results)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/loops-to-inner-products/"
    try:
        for _ in range(240):  # the first build executes the notebook
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait()


def test_serve_shows_the_readers_figures_beside_ours(served_with_local_figures, browser):
    """Every measured figure shows the reader's beside it, both machine lines are there,
    and the claim below its floor on the reader's machine is marked."""
    from conftest import FAKE_MACHINE

    visit(browser, served_with_local_figures + "inner-products/")
    yours = browser.find_elements(By.CSS_SELECTOR, ".local-figure")
    assert yours and all("yours:" in element.text for element in yours)
    below = browser.find_elements(By.CSS_SELECTOR, ".local-below")
    assert below and all("below the stated" in element.text for element in below)
    boxes = browser.find_elements(By.CSS_SELECTOR, ".admonition.local")
    assert boxes and all(FAKE_MACHINE in box.text for box in boxes)
    text = browser.find_element(By.TAG_NAME, "body").text
    published = json.loads(RESULTS.read_text())["machine"]["cpu"]
    assert "Measured on " + FAKE_MACHINE in text and "Measured on " + published in text
    SCREENSHOTS.mkdir(exist_ok=True)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", below[0])
    browser.save_screenshot(str(SCREENSHOTS / "local-figures.png"))


def test_serve_builds_the_chinese_edition_too(served_with_local_figures):
    """The README's serve command serves both editions: the Chinese one a little later."""
    for _ in range(240):
        try:
            with urllib.request.urlopen(served_with_local_figures + "zh/", timeout=1) as page:
                assert '<html lang="zh"' in page.read().decode()
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail("the Chinese edition was not served within two minutes")


@pytest.mark.parametrize(("language", "contents", "page_three"),
                         [("en", "Contents", "Page 3"), ("zh", "目录", "第3页")])
def test_the_pdf_has_every_chapter_math_and_whole_code_lines(site, monkeypatch, language,
                                                             contents, page_three):
    """The build printed the book, each edition (a request to another host while
    printing fails the build); the PDF has every page's title, the machine line, and
    code lines whole; its pages are numbered in the edition's language."""
    if not shutil.which("pdftotext"):
        pytest.skip("no pdftotext: install Debian's poppler-utils (see README)")
    from book import EDITIONS, words
    from book.codeblocks import all_blocks
    from book.downloads import page_title, site_config
    from book.hooks import load_results, machine_line

    monkeypatch.setattr(words, "LANGUAGE", language)
    root = site if language == "en" else site / language
    pdf = root / PDF_NAME
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    pages = [p for p in site_config()["nav"] if p.endswith(".md")]
    docs = EDITIONS[language][0]
    missing = [p for p in pages if page_title((docs / p).read_text()) not in flat]
    assert missing == [] and flat.count(contents) >= 1
    assert "".join(page_three.split()) in "".join(text.split())
    assert " ".join(machine_line(load_results()).split()) in flat
    assert "∑" in text and "\\sum" not in text  # math typeset (MathML), not TeX source
    longest = max(
        (line for b in all_blocks() if b.language == "python"
         for line in b.block.code.splitlines()),
        key=len,
    )
    assert "".join(longest.split()) in "".join(text.split())  # wrapped, not cut
    assert 'href="from-loops-to-inner-products.pdf"' in (root / "index.html").read_text()


def test_printing_sees_a_request_to_another_host(site):
    """Not vacuous: a page that loads an image from elsewhere is caught while printing."""
    page = site / "offsite-print-probe.html"
    page.write_text('<img src="http://example.invalid/probe.png" alt="probe">')
    try:
        seen = print_pdf(site, site / "probe.pdf", page.name)
    finally:
        page.unlink()
        (site / "probe.pdf").unlink(missing_ok=True)
    assert seen == ["http://example.invalid/probe.png"]
