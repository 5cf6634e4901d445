"""JUnit XML for CI test reports: a test suite per check, a test case per target evaluated."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from kinspect.errors import InputProblem
from kinspect.model import Result
from kinspect.report.formats.labels import labels
from kinspect.report.model import Report

# Characters XML 1.0 cannot carry at all, even escaped (a manifest may hold them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
INPUTS_SUITE = "kinspect.inputs"


def render(report: Report) -> str:
    """The JUnit XML report."""
    root = ET.Element("testsuites", name="kinspect")
    by_check: dict[str, list[Result]] = {}
    for result in report.results:
        by_check.setdefault(result.check, []).append(result)
    for rule in report.rules:
        if rule.id in by_check:
            _suite(root, rule.id, [_case(r, report.lang) for r in by_check[rule.id]])
    if report.problems:
        _suite(root, INPUTS_SUITE, [_problem_case(p) for p in report.problems])
    _totals(root, root.findall("testsuite"))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _suite(root: ET.Element, name: str, cases: list[ET.Element]) -> None:
    suite = ET.SubElement(root, "testsuite", name=_clean(name))
    suite.extend(cases)
    _totals(suite, cases)


def _totals(element: ET.Element, children: list[ET.Element]) -> None:
    """tests/failures/errors/skipped of a suite (from its cases) or of all suites."""
    for key, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        if element.tag == "testsuites":
            element.set(key, str(sum(int(c.get(key, "0")) for c in children)))
        else:
            element.set(key, str(sum(1 for c in children if c.find(tag) is not None)))
    if element.tag == "testsuites":
        element.set("tests", str(sum(int(c.get("tests", "0")) for c in children)))
    else:
        element.set("tests", str(len(children)))
    element.set("time", "0")


def _case(result: Result, lang: str) -> ET.Element:
    name = result.resource + (f" [{result.container}]" if result.container else "")
    case = ET.Element("testcase", classname=_clean(result.check), name=_clean(name))
    # The file to edit: the template a resource was rendered from, when there is one.
    case.set("file", _clean(result.source_file or result.file))
    if result.suppressed is not None:
        ET.SubElement(case, "skipped", message=_clean(result.suppressed))
    elif not result.passed:
        text = labels(lang)
        lines = [result.message, f"{result.file}:{result.line}:{result.column}"]
        if result.source_file is not None and result.source_file != result.file:
            line = f":{result.source_line}" if result.source_line else ""
            lines.append(f"{text['source']}: {result.source_file}{line}")
        lines.append(f"{text['fix']}: {result.fix}")
        failure = ET.SubElement(
            case, "failure", message=_clean(result.message), type=result.severity
        )
        failure.text = _clean("\n".join(lines) + "\n")
    return case


def _problem_case(problem: InputProblem) -> ET.Element:
    case = ET.Element("testcase", classname=INPUTS_SUITE, name=_clean(problem.file))
    case.set("file", _clean(problem.file))
    error = ET.SubElement(case, "error", message=_clean(problem.message), type="input")
    error.text = _clean(problem.render() + "\n")
    return case


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
