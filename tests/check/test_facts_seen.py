"""What a relation's `where` sees of a related resource: projected fields, scaled percentages."""

from __future__ import annotations

from kinspect.check.facts_seen import project, scaled

PERCENT_OF = (("spec.minAvailable", "spec.minReplicas", 1),)


def test_percentages_become_the_rounded_up_share_of_the_subject_value() -> None:
    for value, whole, expected in (("50%", 3, 2), ("70%", 3, 3), ("100%", 4, 4), ("1%", 1, 1)):
        data = {"spec": {"minAvailable": value}}
        assert scaled(data, PERCENT_OF, {"spec.minReplicas": whole}) == {
            "spec": {"minAvailable": expected}
        }


def test_an_unset_subject_value_takes_the_default_and_integers_stay() -> None:
    assert scaled({"spec": {"minAvailable": "50%"}}, PERCENT_OF, {}) == {
        "spec": {"minAvailable": 1}
    }
    for value in (2, "half", "x%", None):
        data = {"spec": {"minAvailable": value}}
        assert scaled(data, PERCENT_OF, {"spec.minReplicas": 4}) == data


def test_the_fact_is_never_changed_in_place() -> None:
    values = {"spec": {"minAvailable": "50%", "selector": {}}}
    seen = scaled(project(values, ("spec",)), PERCENT_OF, {"spec.minReplicas": 4})
    assert seen == {"spec": {"minAvailable": 2, "selector": {}}}
    assert values == {"spec": {"minAvailable": "50%", "selector": {}}}
