"""The README's commands are the ones CI and the publishing workflow run."""

import os
import re
import subprocess
import sys

import yaml

from book import ROOT

README = (ROOT / "README.md").read_text()
TEST_COMMAND = (
    "python3.11 -m venv .venv && .venv/bin/pip install -r requirements.txt"
    " && .venv/bin/python -m pytest"
)


def test_readme_has_the_two_commands():
    lines = README.splitlines()
    assert TEST_COMMAND in lines
    assert TEST_COMMAND.replace(".venv/bin/python -m pytest", ".venv/bin/mkdocs serve") in lines


def test_ci_runs_exactly_the_readme_test_command():
    """CI installs the optional peers first, then runs the README's test command as it
    is written, then the portability run, and nothing else."""
    commands = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert commands.count(TEST_COMMAND) == 1
    test = commands.index(TEST_COMMAND)
    assert "python3.11 -m venv .venv && .venv/bin/pip install -q scipy torch==2.13.0" in (
        commands[:test]
    )
    assert commands[test + 1 :][0].startswith(".venv/bin/python -m book.portability")
    assert all(".venv/bin/python -m pytest" not in line for line in commands[:test])


def test_publishing_workflow_tests_then_deploys_the_site():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"]
    build = workflow["jobs"]["test-and-build"]["steps"]
    runs = [step.get("run", "") for step in build]
    assert "bash .ci/run" in runs
    assert any(re.fullmatch(r"\.venv/bin/mkdocs build --strict", run) for run in runs)
    assert any(step.get("with", {}).get("path") == "site" for step in build)
    assert workflow["jobs"]["deploy"]["needs"] == "test-and-build"


def test_requirements_pin_exact_versions():
    pins = [
        line
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert all(re.fullmatch(r"[\w.-]+==[\w.]+", pin) for pin in pins)
    names = {pin.split("==")[0].lower().replace("_", "-") for pin in pins}
    assert {"numpy", "mkdocs", "mkdocs-material", "mkdocs-jupyter", "pytest"} <= names
    assert {"pytest-codeblocks", "pymdown-extensions"} <= names
    assert "torch" not in names
    mkdocs = next(p for p in pins if p.startswith("mkdocs=="))
    assert mkdocs.split("==")[1].startswith("1.")  # MkDocs 2 cannot load plugins


def test_benchmarks_page_counts_every_figure():
    """The sample output on benchmarks.md shows the real number of figures."""
    from book.claims import CLAIMS, TABLES

    text = (ROOT / "docs" / "benchmarks.md").read_text()
    total = len(CLAIMS) + len(TABLES)
    assert f"{total}/{total}" in text and f" 1/{total}" in text


def test_local_results_are_git_ignored_and_outside_the_docs():
    """A reader's own figures never get committed, and no build copies them."""
    from book import DOCS, LOCAL_RESULTS

    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "results.local.json" in ignored
    assert LOCAL_RESULTS.name == "results.local.json" or "BOOK_LOCAL_RESULTS" in os.environ
    assert DOCS not in LOCAL_RESULTS.parents


def test_prose_and_comments_are_spelled_right():
    """codespell over every page, include, snippet, test and book module, and the README.
    Its ignore list holds words it does not know: SME (Arm's Scalable Matrix Extension),
    nin (a ufunc's number of inputs) and abck (einsum subscripts in prepared.py)."""
    paths = ["docs", "includes", "snippets", "book", "tests", "README.md"]
    done = subprocess.run(
        [sys.executable, "-m", "codespell_lib", "--ignore-words-list", "sme,nin,abck",
         "--skip", "*.svg,*.json,*.png", *paths],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_link_to_another_site_is_listed_with_its_check_date():
    """docs/data/sources.json lists exactly the links the pages and programs cite, each
    with a title and the date it was checked (none in the future) or null."""
    import datetime

    from book.sources import external_links, load

    sources, cited = load(), external_links()
    assert sorted(set(cited) - set(sources)) == []  # a new link needs an entry
    assert sorted(set(sources) - set(cited)) == []  # a removed link loses it
    today = datetime.date.today()
    for url, entry in sources.items():
        assert entry["title"].strip(), url
        if entry["checked"] is not None:
            assert datetime.date.fromisoformat(entry["checked"]) <= today, url
