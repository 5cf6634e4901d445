"""The HTML report: self-contained, escaped, and working in a real headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kinspect.report.formats import get_reporter
from kinspect.report.formats.html_details import PAGE_SIZE
from kinspect.report.model import Report
from tests.conftest import ROOT, run_cli
from tests.support.chromium import CHROMIUM, Browser, Page
from tests.support.report import CORE_CHECKS, FIXTURE_SET, HOSTILE_NAME, build, empty

ARTIFACTS = ROOT / "test-artifacts"
render = get_reporter("html")


@pytest.fixture(scope="module")
def report() -> Report:
    return build()


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the fixture set, written by the CLI as a user would."""
    path = tmp_path_factory.mktemp("html") / "report.html"
    proc = run_cli(
        "lint", "--checks", CORE_CHECKS, "--lang", "en", "-f", f"html={path}", FIXTURE_SET
    )
    assert proc.returncode == 2, proc.stderr  # broken.yaml is an input error
    assert proc.stdout == ""
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: run scripts/setup"
    chromium = Browser()
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def page(browser: Browser, page_file: Path) -> Page:
    return browser.open(page_file)


def visible_rows(page: Page) -> int:
    count: int = page.js("document.querySelectorAll('#results tbody tr').length")
    return count


def column(page: Page, index: int) -> list[str]:
    """The text of one column, row by row."""
    cells: list[str] = page.js(
        "Array.from(document.querySelectorAll('#results tbody tr'))"
        f".map(r => r.cells[{index}].textContent)"
    )
    return cells


def embedded(html: str) -> dict[str, Any]:
    """The results data of a page."""
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def choose(page: Page, name: str, value: str) -> None:
    """Pick a filter value the way a user does: set it, then the change event."""
    fire(page, f"filter-{name}", value, "change")


def fire(page: Page, element: str, value: str, event: str) -> None:
    """Set a form field's value and send the event its handler listens to."""
    page.js(
        f"(() => {{ const e = document.getElementById({json.dumps(element)});"
        f" e.value = {json.dumps(value)}; e.dispatchEvent(new Event('{event}')); }})()"
    )


# -- the file itself ---------------------------------------------------------------------


def test_manifest_strings_are_escaped(report: Report) -> None:
    html = render(report)
    assert HOSTILE_NAME not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html
    assert 'onload="alert(3)' not in html  # the image value tries to close an attribute
    assert len(re.findall(r"<script\b", html)) == 2  # the script and its (inert) data
    names = {row[4] for row in embedded(html)["rows"]}
    assert HOSTILE_NAME in names  # intact in the data, escaped in the page


def test_self_contained_and_pinned_by_csp(report: Report) -> None:
    html = render(report)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"<[a-z][^>]*\s(src|srcset|href|action)\s*=", html)  # in a real tag
    script = re.search(r"<script>(.*?)</script>", html, re.S)
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert script and style
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy and "default-src 'none'" in policy.group(1)
    for block in (script, style):
        digest = base64.b64encode(hashlib.sha256(block.group(1).encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy.group(1)


def test_every_result_is_in_the_data(report: Report) -> None:
    data = embedded(render(report))
    assert len(data["rows"]) == len(report.results)
    assert [row[0] for row in data["rows"]].count("suppressed") == report.counts.suppressed
    assert [(row[1], row[7]) for row in data["rows"]] == [(r.check, r.line) for r in report.results]


# -- in the browser ----------------------------------------------------------------------


def test_rows_and_default_filter(page: Page, report: Report) -> None:
    assert visible_rows(page) == len(report.failures)  # failures first
    shown = page.js("document.getElementById('shown').textContent")
    assert shown == f"{len(report.failures)} of {len(report.results)} results"
    assert page.js("document.getElementById('more').hidden") is True
    assert page.js("document.getElementById('score').textContent") == str(report.counts.score)


def test_filters(page: Page, report: Report) -> None:
    choose(page, "result", "*")
    assert visible_rows(page) == len(report.results)
    choose(page, "category", "Networking")
    assert visible_rows(page) == sum(r.category == "Networking" for r in report.results)
    choose(page, "category", "*")
    choose(page, "namespace", "a|b*_c")
    choose(page, "severity", "danger")
    expected = [r for r in report.results if r.namespace == "a|b*_c" and r.severity == "danger"]
    assert expected and visible_rows(page) == len(expected)
    for name in ("namespace", "severity"):
        choose(page, name, "*")
    choose(page, "kind", "CronJob")
    choose(page, "result", "passed")
    expected = [r for r in report.results if r.kind == "CronJob" and r.passed and not r.suppressed]
    assert visible_rows(page) == len(expected)
    for name in ("kind", "result"):
        choose(page, name, "*")
    fire(page, "search", "BACKUP", "input")
    assert visible_rows(page) == sum(r.name == "backup" for r in report.results)
    fire(page, "search", "", "input")


def test_sorting_by_result_puts_danger_first(page: Page) -> None:
    page.js("document.querySelector('#results thead th button').click()")
    order = page.js(
        "Array.from(document.querySelectorAll('#results tbody tr')).map(r => r.dataset.result)"
    )
    rank = {"danger": 0, "warning": 1, "suppressed": 2, "passed": 3}
    assert [rank[o] for o in order] == sorted(rank[o] for o in order)
    assert page.js("document.querySelector('#results thead th').getAttribute('aria-sort')") == (
        "ascending"
    )
    page.js("document.querySelector('#results thead th button').click()")
    assert page.js("document.querySelector('#results tbody tr').dataset.result") == "passed"


def test_sorting_by_location_compares_line_numbers(page: Page, report: Report) -> None:
    page.js("document.querySelectorAll('#results thead th button')[7].click()")
    places = page.js(
        "Array.from(document.querySelectorAll('#results tbody tr'))"
        ".map(r => r.cells[7].textContent)"
    )
    expected = sorted(report.results, key=lambda r: (r.file, r.line, r.column))
    assert [p.rsplit(":", 2)[0] for p in places] == [r.file for r in expected]
    assert [int(p.rsplit(":", 2)[1]) for p in places] == [r.line for r in expected]


def test_hostile_name_renders_as_text(page: Page) -> None:
    choose(page, "namespace", "a|b*_c")
    names = column(page, 5)
    choose(page, "namespace", "*")
    assert names and set(names) == {HOSTILE_NAME}
    assert page.js("Array.from(document.scripts).filter(s => !s.type).length") == 1
    assert page.js("document.querySelectorAll('img').length") == 0
    assert page.events("Page.javascriptDialogOpening") == []


def test_failure_shows_fix_and_example(page: Page, report: Report) -> None:
    failure = next(r for r in report.failures if r.check == "hostNetworkSet")
    rule = report.rule("hostNetworkSet")
    assert rule is not None
    text = page.js(
        "Array.from(document.querySelectorAll('#results tbody tr'))"
        ".find(r => r.cells[2].textContent.startsWith('hostNetworkSet')"
        " && r.dataset.result !== 'passed').cells[8].innerText"
    )
    assert failure.message in text
    assert page.js(
        "Array.from(document.querySelectorAll('#results details'))"
        ".some(d => d.textContent.includes(" + repr(failure.fix) + "))"
    )
    examples = page.js(
        "Array.from(document.querySelectorAll('#results pre')).map(p => p.textContent)"
    )
    assert rule.fix_example.rstrip() in examples


def test_long_lists_are_paged(browser: Browser, report: Report, tmp_path: Path) -> None:
    failure = report.failures[0]
    many = [replace(failure, line=n) for n in range(1, 2 * PAGE_SIZE + 51)]
    path = tmp_path / "many.html"
    path.write_text(render(replace(report, results=many)), encoding="utf-8")
    page = browser.open(path)
    assert visible_rows(page) == PAGE_SIZE
    assert page.js("document.getElementById('more').textContent") == f"Show {PAGE_SIZE} more"
    page.js("document.getElementById('more').click()")
    assert visible_rows(page) == 2 * PAGE_SIZE
    assert page.js("document.getElementById('more').textContent") == "Show 50 more"
    page.js("document.getElementById('more').click()")
    assert visible_rows(page) == len(many)
    assert page.js("document.getElementById('more').hidden") is True
    lines = column(page, 7)
    assert [int(place.split(":")[-2]) for place in lines] == list(range(1, len(many) + 1))


def test_no_request_leaves_the_file(page: Page, page_file: Path) -> None:
    urls = [event["request"]["url"] for event in page.events("Network.requestWillBeSent")]
    assert urls == [page_file.resolve().as_uri()]


def test_screenshot_artifact(page: Page) -> None:
    choose(page, "result", "failed")
    target = ARTIFACTS / "report.png"
    page.screenshot(target)
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_chinese_page(browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "zh.html"
    path.write_text(render(build(lang="zh")), encoding="utf-8")
    page = browser.open(path)
    assert page.js("document.documentElement.lang") == "zh-CN"
    assert page.js("document.querySelector('header h1').textContent") == "kinspect 巡检报告"
    assert "条结果" in page.js("document.getElementById('shown').textContent")
    assert "网络" in page.js("document.getElementById('categories').textContent")


def test_empty_run_page(browser: Browser, tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    path = tmp_path / "empty.html"
    path.write_text(render(empty(tmp_path / "nothing")), encoding="utf-8")
    page = browser.open(path)
    assert page.js("document.querySelectorAll('#results tbody tr').length") == 0
    assert page.js("document.getElementById('shown').textContent") == "0 of 0 results"
    assert page.js("document.getElementById('score').textContent") == "100"


def test_rendered_template_location_names_the_source(report: Report) -> None:
    template = "charts/web/templates/deploy.yaml"
    moved = replace(report.failures[0], source_file=template, source_line=7)
    html = render(replace(report, results=[moved]))
    (row,) = embedded(html)["rows"]
    assert row[12] == f"{template}:7"
