def pytest_terminal_summary(terminalreporter):
    """Say how many code blocks of the book ran, and how many were skipped (with why)."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome in counts:
        for report in terminalreporter.stats.get(outcome, []):
            if "::test_code_block[" in report.nodeid:
                counts[outcome] += 1
    if any(counts.values()):
        terminalreporter.write_line(
            f"book code blocks: {counts['passed']} executed and passed, "
            f"{counts['failed']} failed, {counts['skipped']} skipped by an explicit marker"
        )
