"""SARIF 2.1.0 for code scanning (GitHub and others): the failures, with the rules that ran.

Passing checks and suppressed findings are not results. Paths are relative to `--sarif-root`,
else to the git top level of each file, else to the working directory.
"""

from __future__ import annotations

import json
from typing import Any

from kinspect.errors import InputProblem
from kinspect.model import Result
from kinspect.report.formats.labels import labels
from kinspect.report.formats.paths import RepoPaths
from kinspect.report.model import Report
from kinspect.ruleset.model import Rule
from kinspect.version import __version__

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"danger": "error", "warning": "warning"}
# GitHub ranks security-severity as critical (9.0+), high (7.0-8.9), medium (4.0-6.9), low.
SECURITY_SEVERITY = {"danger": "8.0", "warning": "5.0"}
# Host namespaces and ports are Pod Security Standards controls: security findings too.
SECURITY_CATEGORIES = frozenset({"Security", "Networking"})


def render(report: Report) -> str:
    """The SARIF log of one run."""
    paths = RepoPaths(report.sarif.root)
    index = {rule.id: position for position, rule in enumerate(report.rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "kinspect",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(rule, report.lang) for rule in report.rules],
            }
        },
        "invocations": [_invocation(report, paths)],
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(result, report, index, paths)
            for result in report.failures
            if result.check in index
        ],
    }
    listed = [result for result in report.failures if result.check in index]
    for sarif_result, result in zip(run["results"], listed, strict=True):
        _add_fix(sarif_result, result, report, paths)
    if report.pod_security:
        run["properties"] = {"podSecurity": [e.record() for e in report.pod_security]}
    if report.sarif.category:
        category = report.sarif.category
        # Code scanning takes everything before the last `/` as the category.
        run["automationDetails"] = {"id": category if category.endswith("/") else category + "/"}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _add_fix(
    sarif_result: dict[str, Any], result: Result, report: Report, paths: RepoPaths
) -> None:
    """What `kinspect fix` would change for this finding alone, when it is fixable."""
    replacements = report.fixes.get(result)
    if replacements:
        change = {"artifactLocation": {"uri": paths.uri(result.file)}, "replacements": replacements}
        sarif_result["fixes"] = [{"description": {"text": result.fix}, "artifactChanges": [change]}]


def _rule(rule: Rule, lang: str) -> dict[str, Any]:
    texts = rule.text(lang)
    tags = [rule.category, *(["security"] if rule.category in SECURITY_CATEGORIES else [])]
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": texts.title},
        "fullDescription": {"text": texts.risk},
        "help": {"text": _help_text(rule, lang), "markdown": _help_markdown(rule, lang)},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {
            "tags": [*tags, "kubernetes"],
            "security-severity": SECURITY_SEVERITY.get(rule.severity, "5.0"),
        },
    }
    if rule.references:
        descriptor["helpUri"] = rule.references[0]
    return descriptor


_HELP = {
    "en": ("Fix", "Example", "References"),
    "zh": ("修复建议", "示例", "参考"),
}


def _help_text(rule: Rule, lang: str) -> str:
    texts = rule.text(lang)
    fix, example, references = _HELP.get(lang, _HELP["en"])
    parts = [texts.risk, f"{fix}: {texts.fix}", f"{example}:\n{rule.fix_example.rstrip()}"]
    if rule.references:
        parts.append(f"{references}:\n" + "\n".join(rule.references))
    return "\n\n".join(parts)


def _help_markdown(rule: Rule, lang: str) -> str:
    texts = rule.text(lang)
    fix, example, references = _HELP.get(lang, _HELP["en"])
    fence = "````" if "```" in rule.fix_example else "```"
    parts = [
        texts.risk,
        f"**{fix}:** {texts.fix}",
        f"**{example}:**\n\n{fence}yaml\n{rule.fix_example.rstrip()}\n{fence}",
    ]
    if rule.references:
        parts.append(f"**{references}:**\n\n" + "\n".join(f"- <{url}>" for url in rule.references))
    return "\n\n".join(parts)


def _result(
    result: Result, report: Report, index: dict[str, int], paths: RepoPaths
) -> dict[str, Any]:
    rule = report.rules[index[result.check]]
    title = rule.text(report.lang).title
    stop = "。" if report.lang == "zh" else ". "
    properties: dict[str, Any] = {"resource": result.resource, "category": result.category}
    if result.container:
        properties["container"] = result.container
    built = ""
    if result.build is not None:
        properties["build"] = result.build
        built = f" ({labels(report.lang)['build']}: {result.build})"
    if result.approximate:
        properties["approximate"] = True  # the resource's line: the field's own is not known
    return {
        "ruleId": result.check,
        "ruleIndex": index[result.check],
        "level": LEVELS.get(result.severity, "warning"),
        "message": {"text": f"{title}{stop}{_subject(result)}{result.message}{built}"},
        "locations": [_location(result, paths)],
        "properties": properties,
    }


def _subject(result: Result) -> str:
    """`Kind namespace/name: ` unless the message already names the resource."""
    return "" if f"{result.kind} {result.name}" in result.message else f"{result.resource}: "


def _location(result: Result, paths: RepoPaths) -> dict[str, Any]:
    """The template a resource was rendered from when known, else the inspected file (a saved
    render whose template line is not known: its own line, rather than no region at all)."""
    if result.source_file is not None and (result.source_line or result.file == "-"):
        region = {"startLine": result.source_line} if result.source_line else None
        if region and (result.source_file, result.source_line) == (result.file, result.line):
            region["startColumn"] = result.column  # placed in the template, column included
        return _physical(paths.uri(result.source_file), region)
    return _physical(
        paths.uri(result.file), {"startLine": result.line, "startColumn": result.column}
    )


def _physical(uri: str, region: dict[str, int] | None) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if region:
        location["region"] = region
    return {"physicalLocation": location}


def _invocation(report: Report, paths: RepoPaths) -> dict[str, Any]:
    return {
        "executionSuccessful": not report.problems,
        "toolExecutionNotifications": [_notification(p, paths) for p in report.problems],
    }


def _notification(problem: InputProblem, paths: RepoPaths) -> dict[str, Any]:
    region = {"startLine": problem.line} if problem.line else None
    if region and problem.column:
        region["startColumn"] = problem.column
    text = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
    return {
        "level": "error",
        "message": {"text": text},
        "locations": [_physical(paths.uri(problem.file), region)],
    }
