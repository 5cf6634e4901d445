"""Rule docs (docs/rules/) are generated from the rule files and committed up to date."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kinspect.cli.docs import MARKER, render_docs, stale_files
from kinspect.ruleset.model import Rule
from kinspect.ruleset.rules import load_rules
from tests.conftest import FIXTURES, ROOT, run_cli

DOCS = ROOT / "docs" / "rules"
RULES = load_rules()
REGENERATE = "out of date: run `scripts/kinspect docs` and commit docs/rules/"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_docs(RULES, FIXTURES)


def test_committed_docs_are_up_to_date(pages: dict[str, str]) -> None:
    assert stale_files(pages, DOCS) == [], REGENERATE


def test_generation_is_deterministic(pages: dict[str, str]) -> None:
    assert render_docs(list(reversed(RULES)), FIXTURES) == pages


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_page_has_every_section(rule: Rule, pages: dict[str, str]) -> None:
    rule_id = rule.id
    page = pages[f"{rule_id}.md"]
    sections = ["## What it checks", "## Why it matters", "## How to fix", "## References"]
    sections += ["## 中文", "### 风险", "### 修复建议"]
    if list((FIXTURES / rule_id).glob("fail-*.yaml")):
        # The failing example is a fixture, and kinspect's own findings on it are shown.
        sections += ["## Failing example", "kinspect reports:", "### 不合格的示例"]
    missing = [section for section in sections if f"\n{section}" not in page]
    assert not missing, f"{rule_id}.md lacks {missing}"
    assert f"[`{rule_id}`]({rule_id}.md)" in pages["README.md"]


def test_check_option_finds_stale_and_leftover_pages(tmp_path: Path) -> None:
    docs = tmp_path / "rules"
    shutil.copytree(DOCS, docs)
    (docs / "notes.md").write_text("# kept: not generated\n", encoding="utf-8")
    args = ("docs", "--output", str(docs), "--fixtures", str(FIXTURES))
    assert run_cli(*args, "--check").returncode == 0

    page = docs / "hostNetworkSet.md"
    page.write_text(page.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    (docs / "removedRule.md").write_text(f"{MARKER}\n# removedRule\n", encoding="utf-8")
    proc = run_cli(*args, "--check")
    assert proc.returncode == 1
    assert "hostNetworkSet.md: out of date" in proc.stderr
    assert "removedRule.md: out of date" in proc.stderr

    proc = run_cli(*args)
    assert proc.returncode == 0
    assert sorted(proc.stdout.split()) == [f"{docs}/hostNetworkSet.md", f"{docs}/removedRule.md"]
    assert not (docs / "removedRule.md").exists() and (docs / "notes.md").exists()
    assert run_cli(*args, "--check").returncode == 0


def test_missing_fixtures_directory_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("docs", "--output", str(tmp_path), "--fixtures", str(tmp_path / "none"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"kinspect: {tmp_path}/none: fixtures directory not found"
