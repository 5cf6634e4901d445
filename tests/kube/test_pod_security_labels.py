"""Namespace labels to policies, as the admission controller resolves them (PSS.md §6.1)."""

from __future__ import annotations

import pytest

from kinspect.kube.pod_security import Policy, namespace_policies, parse_policy, psa_labels

P = "pod-security.kubernetes.io/"


def _texts(labels: dict[str, str], default: Policy | None = None) -> tuple[str, ...]:
    return tuple(mode.policy.text for mode in namespace_policies(labels, default))


def test_no_labels_and_no_default_is_privileged_everywhere() -> None:
    assert _texts({}) == ("privileged:latest",) * 3


def test_the_default_sets_enforce_only() -> None:
    default = Policy("restricted", "v1.30")
    assert _texts({}, default) == ("restricted:v1.30", "privileged:latest", "privileged:latest")


def test_each_field_falls_back_on_its_own() -> None:
    labels = {P + "enforce-version": "v1.25", P + "audit": "baseline"}
    default = Policy("baseline", "v1.30")
    assert _texts(labels, default) == ("baseline:v1.25", "privileged:latest", "baseline:latest")


def test_warn_inherits_a_stricter_valid_enforce_with_its_version() -> None:
    labels = {P + "enforce": "restricted", P + "enforce-version": "v1.24"}
    assert _texts(labels) == ("restricted:v1.24", "restricted:v1.24", "privileged:latest")
    labels[P + "warn-version"] = "v1.30"
    assert _texts(labels)[1] == "restricted:v1.30"
    labels[P + "warn"] = "baseline"  # a warn label of its own: no inheritance
    assert _texts(labels)[1] == "baseline:v1.30"


def test_audit_never_inherits() -> None:
    assert _texts({P + "enforce": "baseline"})[2] == "privileged:latest"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({P + "enforce": "Restricted"}, ("restricted:latest", "privileged:latest")),
        ({P + "warn": "strict"}, ("privileged:latest", "privileged:latest")),
        ({P + "enforce": "baseline", P + "enforce-version": "v1.025"}, ("baseline:latest",) * 2),
        ({P + "enforce": "baseline", P + "enforce-version": "1.25"}, ("baseline:latest",) * 2),
    ],
)
def test_invalid_values_fail_closed_for_enforce_and_open_otherwise(
    labels: dict[str, str], expected: tuple[str, str]
) -> None:
    enforce, warn, _ = namespace_policies(labels, None)
    assert (enforce.policy.text, warn.policy.text) == expected
    assert enforce.errors or warn.errors


def test_an_invalid_enforce_level_is_not_inherited_by_warn() -> None:
    # "Restricted" is invalid: enforce fails closed, but warn needs a valid enforce label.
    assert _texts({P + "enforce": "Restricted"})[1] == "privileged:latest"


@pytest.mark.parametrize("version", ["v1.0", "v1.25", "v1.100", "latest"])
def test_valid_versions(version: str) -> None:
    assert parse_policy(f"baseline:{version}").version == version


@pytest.mark.parametrize(
    "text", ["Baseline", "baseline:1.25", "baseline:v1.25.0", "baseline:V1.25", "x", "baseline:"]
)
def test_invalid_policies(text: str) -> None:
    with pytest.raises(ValueError):
        parse_policy(text)


def test_a_version_above_every_definition_is_evaluated_as_the_newest() -> None:
    assert Policy("baseline", "v1.100").minor == 100
    assert Policy("baseline").minor is None


def test_only_pod_security_labels_are_kept() -> None:
    labels = {P + "enforce": "baseline", "app": "x", P + "warn": None, 3: "x"}
    assert psa_labels(labels) == {P + "enforce": "baseline", P + "warn": ""}
    assert psa_labels(None) == {}


def _levels(text: str) -> set[str]:
    """The levels the Namespaces of a text set, once parsed (no default)."""
    from kinspect.kube.targets import resources_of
    from kinspect.parse.loader import load_documents

    levels = set()
    for document in load_documents(text):
        for resource in resources_of(document.data):
            if resource.kind == "Namespace":
                labels = psa_labels((resource.data.get("metadata") or {}).get("labels"))
                levels |= {mode.policy.level for mode in namespace_policies(labels, None)}
    return levels - {"privileged"}


def _namespace(labels: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels:\n{labels}"


@pytest.mark.parametrize(
    ("text", "sets"),
    [
        (_namespace(f"    {P}enforce: privileged\n    {P}warn-version: latest\n"), False),
        (_namespace(f"    {P}audit: 'privileged'  # kept open\n"), False),
        (_namespace(f"    {P}enforce-version: v1.025\n"), False),
        (
            '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns", "labels": '
            f'{{"{P}enforce": "privileged", "{P}warn-version": "v1.2"}}}}}}',
            False,
        ),
        (_namespace("    team: shop\n"), False),
        (_namespace(f"    {P}enforce: restricted\n"), True),
        (_namespace(f"    {P}enforce: Privileged\n"), True),  # invalid: restricted
        (_namespace(f"    {P}enforce: privileged\n      restricted\n"), True),  # one value
        (_namespace(f"    {P}enforce:\n      baseline\n"), True),
        (_namespace(f"    {P}warn: &level baseline\n"), True),
        (_namespace(f"    {P}warn: !!str baseline\n"), True),
        (_namespace(f"    {{{P}enforce: privileged, {P}audit: baseline}}\n"), True),
        (_namespace(f"    {P}enforce: privileged}}\n"), True),  # the value is `privileged}`
        (_namespace('    "pod-security.kubernetes.io\\x2Fenforce": baseline\n'), True),
        (_namespace('    "pod-security.kubernetes.io\\u002fwarn": restricted\n'), True),
        (_namespace('    ? "pod-security.kubernetes\\\n      .io/audit"\n    : baseline\n'), True),
        (_namespace(f'    "{P}enforce": "privileged"\n'), False),
    ],
)
def test_a_text_that_may_set_a_level_is_told_apart(text: str, sets: bool) -> None:
    from kinspect.kube.pod_security import may_set_level

    assert may_set_level(text) is sets
    # What the parsed Namespace's labels resolve to agrees.
    assert bool(_levels(text)) is sets
