"""JUnit XML: a suite per check, a case per target, failures with message, place and fix."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from kinspect.report.formats import get_reporter
from kinspect.report.model import Report
from tests.support.report import HOSTILE_NAME, build, empty

render = get_reporter("junit")


@pytest.fixture(scope="module")
def report() -> Report:
    return build()


def parse(report: Report) -> ET.Element:
    text = render(report)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def test_a_suite_per_check_and_a_case_per_target(report: Report) -> None:
    root = parse(report)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    checks = [rule.id for rule in report.rules if any(r.check == rule.id for r in report.results)]
    assert list(suites) == [*checks, "kinspect.inputs"]
    for check in checks:
        results = [r for r in report.results if r.check == check]
        cases = suites[check].findall("testcase")
        assert [c.get("name") for c in cases] == [
            r.resource + (f" [{r.container}]" if r.container else "") for r in results
        ]
        assert suites[check].get("tests") == str(len(results))
        assert all(c.get("classname") == check for c in cases)


def test_totals(report: Report) -> None:
    root = parse(report)
    counts = report.counts
    assert root.get("tests") == str(len(report.results) + 1)  # + the unreadable input
    assert root.get("failures") == str(counts.warning + counts.danger)
    assert root.get("skipped") == str(counts.suppressed)
    assert root.get("errors") == "1"
    assert len(root.findall(".//failure")) == counts.warning + counts.danger


def test_failure_has_message_place_and_fix(report: Report) -> None:
    root = parse(report)
    failure = next(r for r in report.failures if r.check == "hostNetworkSet")
    (case,) = [
        c
        for c in root.iterfind("testsuite[@name='hostNetworkSet']/testcase")
        if c.find("failure") is not None
    ]
    element = case.find("failure")
    assert element is not None and element.text is not None
    assert element.get("message") == failure.message
    assert element.get("type") == "danger"
    assert f"{failure.file}:{failure.line}:{failure.column}" in element.text
    assert f"fix: {failure.fix}" in element.text
    assert case.get("file") == failure.file


def test_suppressed_is_skipped_and_input_error_is_an_error(report: Report) -> None:
    root = parse(report)
    skipped = root.findall(".//skipped")
    assert len(skipped) == 1
    (error,) = root.findall(".//error")
    assert "broken.yaml" in (error.text or "")


def test_hostile_names_survive_as_text(report: Report) -> None:
    root = parse(report)
    names = {c.get("name") for c in root.iter("testcase")}
    assert f"Pod a|b*_c/{HOSTILE_NAME} [<img src=x onerror=alert(2)>]" in names


def test_control_characters_do_not_break_the_xml(report: Report) -> None:
    failure = report.failures[0]
    odd = replace(failure, name="bell\x07name", message="nul\x00here")
    root = parse(replace(report, results=[odd], problems=[]))
    case = root.find(".//testcase")
    assert case is not None and "bell\ufffdname" in (case.get("name") or "")


def test_chinese_fix_label() -> None:
    root = parse(build(lang="zh"))
    element = root.find(".//failure")
    assert element is not None and "修复: " in (element.text or "")


def test_empty_run(tmp_path: Path) -> None:
    root = parse(empty(tmp_path))
    assert root.tag == "testsuites" and root.get("tests") == "0"
    assert root.findall("testsuite") == []


def test_rendered_template_is_the_file(report: Report) -> None:
    template = "charts/web/templates/deploy.yaml"
    moved = replace(report.failures[0], source_file=template, source_line=7)
    root = parse(replace(report, results=[moved], problems=[]))
    case = root.find(".//testcase")
    failure = root.find(".//failure")
    assert case is not None and case.get("file") == template
    assert failure is not None and f"source: {template}:7\n" in (failure.text or "")
