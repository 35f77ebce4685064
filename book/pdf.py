"""The book as one PDF: the print page (mkdocs-print-site-plugin) printed by Chromium.

WeasyPrint cannot render MathML (Kozea/WeasyPrint#2171); Chromium does, and it runs the
print page's script that copies the table of contents. The built site is served on
127.0.0.1, Debian's Chromium (driven by Selenium through Debian's chromedriver: nothing
is downloaded) loads the print page, and `print_pdf` returns every request the page
made to another host, so that the build can fail on any. The browser tests drive
Chromium the same way (`chromium_options`, `page_requests`, `offsite`).

`python -m book.pdf SITE_DIR` prints SITE_DIR/print_page/ to SITE_DIR/PDF_NAME.
"""

import base64
import functools
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

PDF_NAME = "from-loops-to-inner-products.pdf"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which(
    "google-chrome"
)
CHROMEDRIVER = shutil.which("chromedriver")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(site_dir: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """The built site on 127.0.0.1 at a free port, in a thread: (server, base URL)."""
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def chromium_options(profile: str, width: int = 1280, height: int = 900):
    """Headless Chromium that makes no connection of its own (no updates, no sync),
    with the page's network events logged."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return options


def new_driver(profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not download anything
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=chromium_options(profile))


def page_requests(driver) -> tuple[list[str], list[str]]:
    """The URLs the page requested since the last call, and the errors of failed ones."""
    events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    requests = [
        e["params"]["request"]["url"]
        for e in events
        if e["method"] == "Network.requestWillBeSent"
        and not e["params"]["request"]["url"].startswith("data:")
    ]
    failed = [
        e["params"].get("errorText", "")
        for e in events
        if e["method"] == "Network.loadingFailed" and not e["params"].get("canceled")
    ]
    return requests, failed


def offsite(requests: list[str], base_url: str) -> list[str]:
    """Network requests (http, https, ws) to anywhere but the served site.
    The browser's own chrome:// pages are not network requests."""
    network = [url for url in requests if url.split(":")[0] in ("http", "https", "ws", "wss")]
    return [url for url in network if not url.startswith(base_url)]


def print_pdf(site_dir: Path, out: Path, page: str = "print_page/") -> list[str]:
    """Print `page` of the built site to `out` (A4, backgrounds kept); return the
    requests the page made to other hosts."""
    from selenium.webdriver.support.ui import WebDriverWait

    server, base_url = serve(site_dir)
    try:
        with tempfile.TemporaryDirectory() as profile:
            driver = new_driver(profile)
            try:
                driver.get(base_url + page)
                WebDriverWait(driver, 60).until(
                    lambda d: d.execute_script("return document.readyState") == "complete"
                )
                time.sleep(1)  # the print page's script: the table of contents
                driver.set_script_timeout(600)
                printed = driver.execute_cdp_cmd(
                    "Page.printToPDF",
                    {"printBackground": True, "paperWidth": 8.27, "paperHeight": 11.69},
                )  # A4, in inches
                out.write_bytes(base64.b64decode(printed["data"]))
                requests, _ = page_requests(driver)
            finally:
                driver.quit()
    finally:
        server.shutdown()
    return offsite(requests, base_url)


def main() -> None:
    site_dir = Path(sys.argv[1])
    seen = print_pdf(site_dir, site_dir / PDF_NAME)
    print(f"{site_dir / PDF_NAME}; requests to other hosts: {seen or 'none'}")


if __name__ == "__main__":
    main()
