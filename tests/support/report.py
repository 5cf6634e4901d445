"""The fixture set every report format is tested on, inspected in process."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from kinspect.engine.run import Settings, inspect_sources
from kinspect.inputs.sources import collect
from kinspect.report.model import Display, Report, SarifOptions, build_report
from kinspect.ruleset.rules import load_rules, select
from tests.conftest import ROOT

REPORT_FIXTURES = ROOT / "tests" / "fixtures" / "report"
# Relative to ROOT, as a user in the checkout would type them.
FIXTURE_SET = "tests/fixtures/report"
HOSTILE_NAME = "<script>alert(1)</script>"
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
REPORT_SCHEMA = ROOT / "schemas" / "report.schema.json"
# The 16 checks of the origin document: the reports are tested on these, so that new rules
# (which may fail the "clean" fixture too) do not change what the tests expect.
CORE_CHECKS = (
    "capabilitiesAdded,cpuLimitsMissing,cpuRequestsMissing,hostIPCSet,hostNetworkSet,"
    "hostPIDSet,hostPortSet,livenessProbeMissing,memoryLimitsMissing,memoryRequestsMissing,"
    "notReadOnlyRootFileSystem,privilegeEscalationAllowed,readinessProbeMissing,"
    "runAsPrivileged,runAsRootAllowed,tagNotSpecified"
)


def build(
    paths: list[str] | None = None,
    lang: str = "en",
    display: Display | None = None,
    sarif: SarifOptions | None = None,
) -> Report:
    """The report of `kinspect lint --checks CORE_CHECKS PATHS` (default: the fixture set)."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        rules = select(load_rules(), CORE_CHECKS.split(","), None)
        sources, problems = collect(paths if paths is not None else [FIXTURE_SET])
        outcome = inspect_sources(sources, Settings(tuple(rules), lang))
        outcome.problems[:0] = problems
        return build_report(outcome, rules, lang, display, sarif)
    finally:
        os.chdir(cwd)


def empty(tmp_path: Path, lang: str = "en") -> Report:
    """The report of a run over an empty directory: no inputs, no resources."""
    return build([str(tmp_path)], lang)


def shown(report: Report, **display: bool) -> Report:
    """The same report with other display options."""
    return replace(report, display=replace(report.display, **display))
