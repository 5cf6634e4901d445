"""Inline `# kinspect:` comments, annotations and config exemptions; unused ignores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinspect.engine.run import Settings, inspect_text
from kinspect.model import Result
from kinspect.report.model import Counts
from kinspect.ruleset.model import Rule
from kinspect.ruleset.rules import load_rules
from kinspect.suppress.comments import scan
from kinspect.suppress.suppressor import Exemption, Suppressor
from tests.conftest import run_cli

RULES = {rule.id: rule for rule in load_rules()}
POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  hostNetwork: true{c7}
{c8}  hostPID: true
  containers:
    - name: web{c10}
      image: registry.example.com/web{c11}
"""


def run(text: str, *checks: str, suppressor: Suppressor | None = None) -> list[Result]:
    rules: tuple[Rule, ...] = tuple(RULES[c] for c in (*checks, "unusedIgnore"))
    return inspect_text("pod.yaml", text, Settings(rules, suppressor=suppressor)).results


def pod(**comments: str) -> str:
    fields = {f"c{n}": "" for n in (7, 8, 10, 11)} | comments
    return POD.format(**fields)


def outcome(results: list[Result]) -> dict[tuple[str, int], str]:
    """(check, line) → failed / passed / the suppression reason."""
    return {
        (r.check, r.line): r.suppressed or ("passed" if r.passed else "failed") for r in results
    }


def test_comment_at_the_end_of_the_exact_line() -> None:
    text = pod(c7="  # kinspect: ignore[hostNetworkSet] node agent needs it")
    found = outcome(run(text, "hostNetworkSet", "hostPIDSet"))
    assert found[("hostNetworkSet", 7)] == "ignored by the comment on line 7: node agent needs it"
    assert found[("hostPIDSet", 8)] == "failed"  # the next line is not covered
    assert found[("unusedIgnore", 7)] == "passed"


def test_comment_on_its_own_line_covers_the_next_content_line() -> None:
    text = pod(c8="  # kinspect: ignore[hostPIDSet] debugging agent\n  # another comment\n")
    found = outcome(run(text, "hostNetworkSet", "hostPIDSet"))
    assert found[("hostPIDSet", 10)] == "ignored by the comment on line 8: debugging agent"
    assert found[("hostNetworkSet", 7)] == "failed"


def test_comment_covers_only_the_checks_it_names() -> None:
    text = pod(c10="  # kinspect: ignore[livenessProbeMissing] batch pod")
    results = run(text, "livenessProbeMissing", "readinessProbeMissing")
    found = outcome(results)
    assert found[("livenessProbeMissing", 10)].startswith("ignored by the comment on line 10")
    assert found[("readinessProbeMissing", 10)] == "failed"


def test_ignore_all_document_and_file() -> None:
    two = pod(c7="  # kinspect: ignore[all] lab cluster") + "---\n" + pod()
    found = [(r.check, r.line, r.suppressed is not None) for r in run(two, "hostNetworkSet")]
    assert ("hostNetworkSet", 7, True) in found
    assert ("hostNetworkSet", 19, False) in found
    document = pod(c8="  # kinspect: ignore-document\n") + "---\n" + pod()
    checks = ("hostPIDSet", "hostNetworkSet")
    found = [(r.line, r.suppressed) for r in run(document, *checks) if r.check in checks]
    second = [reason for line, reason in found if line > 14]
    assert second and all(reason is None for reason in second)
    assert all(reason for line, reason in found if line < 14)
    whole = "# kinspect: ignore-file[hostPIDSet] all our agents\n" + pod() + "---\n" + pod()
    results = [r for r in run(whole, "hostPIDSet", "hostNetworkSet") if not r.passed]
    assert {r.check for r in results if r.suppressed is None} == {"hostNetworkSet"}
    assert len([r for r in results if r.check == "hostPIDSet" and r.suppressed]) == 2


def test_unused_ignore_is_a_warning_with_its_line_and_column() -> None:
    text = pod(c11="  # kinspect: ignore[tagNotSpecified,hostPIDSet] pinned upstream")
    results = run(text, "tagNotSpecified", "hostPIDSet")
    (unused,) = [r for r in results if r.check == "unusedIgnore" and not r.passed]
    assert (unused.line, unused.column, unused.severity) == (11, 40, "warning")
    assert unused.message == "the ignore of hostPIDSet suppresses nothing here"
    assert (unused.kind, unused.namespace, unused.name) == ("Pod", "shop", "web")
    # tagNotSpecified was suppressed on that line, so only hostPIDSet is stale.
    assert outcome(results)[("tagNotSpecified", 11)].startswith("ignored by the comment")


def test_unknown_and_unreadable_ignores() -> None:
    text = pod(c7="  # kinspect: ignore[hostNetworkSett]", c8="  # kinspect: ignroe[hostPIDSet]\n")
    unused = {r.line: r.message for r in run(text, "hostNetworkSet") if not r.passed}
    assert unused[7] == "the ignore names unknown check(s) hostNetworkSett"
    assert unused[8] == "kinspect cannot read this ignore comment: ignroe[hostPIDSet]"


def test_ignores_of_checks_that_did_not_run_are_not_judged() -> None:
    text = pod(c7="  # kinspect: ignore[hostNetworkSet]", c8="# kinspect: ignore-file\n")
    results = run(text, "hostPIDSet")
    assert not [r for r in results if r.check == "unusedIgnore" and not r.passed]
    # An ignore of all checks is judged only when the run has every default check.
    complete = Suppressor(complete=True)
    clean = pod(c8="# kinspect: ignore-file\n").replace("hostPID: true", "hostPID: false")
    results = run(clean, "hostPIDSet", suppressor=complete)
    assert [r.message for r in results if not r.passed] == [
        "the ignore of all suppresses nothing here"
    ]


def test_comments_inside_strings_without_a_hash_are_not_directives() -> None:
    assert scan("a: 'kinspect: ignore[x]'\nb: 1\n").directives == ()
    assert scan("a: 1\n").directives == ()
    (directive,) = scan("x: 1\n---\n# kinspect: ignore-document why\n").directives
    assert (directive.scope, directive.line, directive.reason) == ("document", 3, "why")


ANNOTATED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: legacy
  annotations:
    {annotations}
spec:
  selector: {{matchLabels: {{app: legacy}}}}
  template:
    metadata: {{labels: {{app: legacy}}}}
    spec:
      hostIPC: true
      containers:
        - name: app
          image: registry.example.com/legacy:7.0.1
          securityContext: {{privileged: true, capabilities: {{add: [SYS_ADMIN]}}}}
        - name: sidecar
          image: registry.example.com/proxy:1.2.0
          securityContext: {{privileged: true}}
"""


def annotated(*lines: str) -> str:
    return ANNOTATED.format(annotations="\n    ".join(lines))


EVERYTHING = {
    "hostIPCSet",
    "runAsPrivileged@app",
    "runAsPrivileged@sidecar",
    "capabilitiesAdded@app",
}


@pytest.mark.parametrize(
    ("annotations", "suppressed"),
    [
        (
            ['kinspect.io/ignore: "hostIPCSet, capabilitiesAdded"'],
            {"hostIPCSet", "capabilitiesAdded@app"},
        ),
        (["kinspect.io/ignore: all"], EVERYTHING),
        (["kinspect.io/ignore.sidecar: runAsPrivileged"], {"runAsPrivileged@sidecar"}),
        (['polaris.fairwinds.com/exempt: "true"'], EVERYTHING),
        (
            [
                'polaris.fairwinds.com/dangerousCapabilities-exempt: "true"',
                'polaris.fairwinds.com/hostIPCSet-exempt: "false"',
            ],
            {"capabilitiesAdded@app"},
        ),
    ],
)
def test_annotations(annotations: list[str], suppressed: set[str]) -> None:
    results = run(annotated(*annotations), "hostIPCSet", "runAsPrivileged", "capabilitiesAdded")
    failed = {
        (f"{r.check}@{r.container}" if r.container else r.check): r.suppressed
        for r in results
        if not r.passed and r.check != "unusedIgnore"
    }
    assert set(failed) == EVERYTHING
    assert {name for name, reason in failed.items() if reason} == suppressed
    assert not [r for r in results if r.check == "unusedIgnore" and not r.passed]


def test_unused_annotation_is_reported_at_its_key() -> None:
    results = run(
        annotated("kinspect.io/ignore: hostPIDSet, hostIPCSet"), "hostIPCSet", "hostPIDSet"
    )
    (unused,) = [r for r in results if r.check == "unusedIgnore" and not r.passed]
    assert (unused.line, unused.column) == (6, 5)
    assert unused.message == "the ignore of hostPIDSet suppresses nothing here"
    assert unused.path == "metadata.annotations.kinspect.io/ignore"


def test_config_exemptions_match_every_selector_given() -> None:
    exemptions = (
        Exemption(frozenset({"runAsPrivileged"}), "sidecar is audited", containers=("side*",)),
        Exemption(frozenset(), "kube-system", namespaces=("kube-*",)),
        Exemption(frozenset({"hostIPCSet"}), "other file", paths=("other/*.yaml",)),
        Exemption(frozenset({"hostIPCSet"}), "legacy", kinds=("Deployment",), names=("leg*",)),
    )
    suppressor = Suppressor(exemptions=tuple(replace_numbers(exemptions)))
    results = run(annotated("a: b"), "hostIPCSet", "runAsPrivileged", suppressor=suppressor)
    reasons = {(r.check, r.container): r.suppressed for r in results if not r.passed}
    assert reasons[("runAsPrivileged", "sidecar")] == "sidecar is audited (exemption 1 of config)"
    assert reasons[("runAsPrivileged", "app")] is None
    assert reasons[("hostIPCSet", None)] == "legacy (exemption 4 of config)"


def replace_numbers(exemptions: tuple[Exemption, ...]) -> list[Exemption]:
    from dataclasses import replace

    return [replace(e, number=n) for n, e in enumerate(exemptions, start=1)]


def test_suppressed_results_are_neither_failures_nor_passes() -> None:
    results = run(pod(c7="  # kinspect: ignore[hostNetworkSet]"), "hostNetworkSet", "hostPIDSet")
    counts = Counts.of(results)
    assert (counts.danger, counts.suppressed) == (1, 1)
    assert counts.passed == 1  # the used ignore passes unusedIgnore


def test_exemption_paths_are_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "system").mkdir()
    (tmp_path / "system" / "agent.yaml").write_text(pod())
    (tmp_path / "app.yaml").write_text(pod())
    (tmp_path / ".kinspect.yaml").write_text(
        "exemptions:\n  - checks: [hostNetworkSet, hostPIDSet]\n    paths: ['system/*']\n"
        "    reason: node agents\n"
    )
    proc = run_cli("lint", "--no-progress", "-f", "json", ".", cwd=tmp_path / "system")
    results = json.loads(proc.stdout)["results"]
    exempted = {
        r["check"]: r["suppressed"]
        for r in results
        if r["check"] in ("hostNetworkSet", "hostPIDSet")
    }
    reason = "node agents (exemption 1 of ../.kinspect.yaml)"
    assert exempted == {"hostNetworkSet": reason, "hostPIDSet": reason}
    proc = run_cli("lint", "--no-progress", "-f", "json", ".", cwd=tmp_path)
    failed = {
        (r["file"], r["check"])
        for r in json.loads(proc.stdout)["results"]
        if not r["passed"] and r["suppressed"] is None
    }
    assert ("app.yaml", "hostNetworkSet") in failed
    assert ("system/agent.yaml", "hostNetworkSet") not in failed


def test_show_suppressed_and_sarif(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pod.yaml").write_text(pod(c7="  # kinspect: ignore[hostNetworkSet] node agent"))
    args = ("lint", "--no-progress", "--checks", "hostNetworkSet,hostPIDSet", "pod.yaml")
    plain = run_cli(*args, cwd=tmp_path).stdout
    assert "hostNetworkSet" not in plain.split("\n\n")[0]
    shown = run_cli(*args, "--show-suppressed", cwd=tmp_path).stdout
    assert "pod.yaml:7:3: SUPPRESSED hostNetworkSet Pod shop/web" in shown
    assert "    reason: ignored by the comment on line 7: node agent" in shown
    zh = run_cli(*args, "--show-suppressed", "--lang", "zh", cwd=tmp_path).stdout
    assert "原因: 被第 7 行的注释忽略: node agent" in zh
    sarif = json.loads(run_cli(*args, "-f", "sarif", cwd=tmp_path).stdout)
    rule_ids = [r["ruleId"] for run in sarif["runs"] for r in run["results"]]
    assert rule_ids == ["hostPIDSet"]


def test_cross_resource_findings_are_suppressed_before_ignores_are_judged() -> None:
    from kinspect.engine.run import finish

    if "missingNetworkPolicy" not in RULES:
        pytest.skip("no cross-resource rule to test with")
    rules = (RULES["missingNetworkPolicy"], RULES["unusedIgnore"])
    assert rules[0].relations, "missingNetworkPolicy is decided once every input is read"
    text = "# kinspect: ignore-document[missingNetworkPolicy] policies live elsewhere\n"
    settings = Settings(rules)
    results = finish(inspect_text("a.yaml", text + annotated("a: b"), settings), settings).results
    found = {(r.check, r.passed): r.suppressed for r in results}
    reason = "ignored for the document by the comment on line 1: policies live elsewhere"
    assert found == {("missingNetworkPolicy", False): reason, ("unusedIgnore", True): None}
