"""`{$field:PATH}` in a mapping key: a `patternProperties` regex built from the data checked."""

from __future__ import annotations

from typing import Any

import jsonschema
import jsonschema_rs
import pytest

from kinspect.kube.paths import values_at
from kinspect.ruleset.template import FIELD, fill, lookup_in, placeholder_paths, with_defaults

SCHEMA = {
    "properties": {
        "labels": {
            "patternProperties": {"^team/({$field:members.*.name})$": {"const": "ok"}},
        }
    }
}


def test_a_star_gives_one_value_per_item() -> None:
    data = {"members": [{"name": "a"}, None, {"id": 1}, {"name": "b"}]}
    assert values_at(data, ("members", "*", "name")) == ["a", None, None, "b"]
    assert values_at(data, ("missing", "*", "name")) == []
    assert values_at(data, ("members", 3, "name")) == ["b"]


def test_key_placeholders_are_placeholder_paths() -> None:
    assert placeholder_paths(SCHEMA, FIELD) == {"members.*.name"}


@pytest.mark.parametrize(
    ("members", "labels", "valid"),
    [
        # Only the keys of existing members are judged, each name matched exactly.
        ([{"name": "a.b+c(d)/e[f]"}], {"team/a.b+c(d)/e[f]": "bad"}, False),
        ([{"name": "a.b+c(d)/e[f]"}], {"team/aXb+c(d)/e[f]": "bad"}, True),
        ([{"name": "x"}, {"name": "y"}], {"team/y": "bad", "team/z": "bad"}, False),
        ([{"name": "x"}], {"team/x": "ok", "team/z": "bad"}, True),
        # A member without a name is the empty text; no member at all matches no key.
        ([{}], {"team/": "bad"}, False),
        ([], {"team/": "bad"}, True),
    ],
)
def test_a_filled_key_matches_exactly_the_values(
    members: list[dict[str, Any]], labels: dict[str, str], valid: bool
) -> None:
    data = {"members": members, "labels": labels}
    filled = fill(SCHEMA, FIELD, lookup_in(data))
    # Both schema backends read the escaped regex alike.
    assert jsonschema_rs.validator_for(filled).is_valid(data) is valid
    assert jsonschema.Draft202012Validator(filled).is_valid(data) is valid


def test_unfilled_keys_match_nothing() -> None:
    pattern = next(iter(with_defaults(SCHEMA, FIELD)["properties"]["labels"]["patternProperties"]))
    assert pattern == "^team/([^\\s\\S])$"
