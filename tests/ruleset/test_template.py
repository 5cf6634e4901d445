"""`{$field:PATH}` in a key of `properties`: one key per value of the data checked."""

from __future__ import annotations

from typing import Any

import jsonschema
import jsonschema_rs
import pytest

from kinspect.kube.paths import values_at
from kinspect.ruleset.template import (
    FIELD,
    compiled_fill,
    fill,
    keys_in,
    lookup_in,
    placeholder_paths,
    with_defaults,
)

SCHEMA = {
    "properties": {
        "labels": {"properties": {"team/{$field:members.*.name}": {"const": "ok"}}},
    }
}


def test_a_star_gives_one_value_per_item() -> None:
    data = {"members": [{"name": "a"}, None, {"id": 1}, {"name": "b"}]}
    assert values_at(data, ("members", "*", "name")) == ["a", None, None, "b"]
    assert values_at(data, ("missing", "*", "name")) == []
    assert values_at(data, ("members", 3, "name")) == ["b"]


def test_key_placeholders_are_placeholder_paths() -> None:
    assert placeholder_paths(SCHEMA, FIELD) == {"members.*.name"}


def test_a_key_becomes_one_key_per_value() -> None:
    data = {"members": [{"name": "a.b+c"}, {}, {"name": "a.b+c"}]}
    filled = fill(SCHEMA, FIELD, lookup_in(data))
    assert set(filled["properties"]["labels"]["properties"]) == {"team/a.b+c", "team/"}
    # Without values the key is gone: what the rule is checked with at load.
    assert with_defaults(SCHEMA, FIELD) == {"properties": {"labels": {"properties": {}}}}


@pytest.mark.parametrize(
    ("members", "labels", "valid"),
    [
        # Only the keys of existing members are judged, each name matched exactly.
        ([{"name": "a.b+c(d)/e[f]"}], {"team/a.b+c(d)/e[f]": "bad"}, False),
        ([{"name": "a.b+c(d)/e[f]"}], {"team/aXb+c(d)/e[f]": "bad"}, True),
        ([{"name": "x"}, {"name": "y"}], {"team/y": "bad", "team/z": "bad"}, False),
        ([{"name": "x"}], {"team/x": "ok", "team/z": "bad"}, True),
        # A member without a name is the empty text; no member at all makes no key.
        ([{}], {"team/": "bad"}, False),
        ([], {"team/": "bad"}, True),
    ],
)
def test_a_filled_key_judges_exactly_its_values(
    members: list[dict[str, Any]], labels: dict[str, str], valid: bool
) -> None:
    data = {"members": members, "labels": labels}
    filled = fill(SCHEMA, FIELD, lookup_in(data))
    assert jsonschema_rs.validator_for(filled).is_valid(data) is valid
    assert jsonschema.Draft202012Validator(filled).is_valid(data) is valid
    # Keeping only the keys the data holds changes no verdict.
    pruned = compiled_fill(SCHEMA, FIELD, lookup_in(data), lambda: keys_in(data))
    assert pruned.is_valid(data) is valid


def test_only_keys_the_data_holds_are_kept() -> None:
    data = {"members": [{"name": "x"}, {"name": "y"}], "labels": {"team/y": "ok"}}
    filled = fill(SCHEMA, FIELD, lookup_in(data), lambda: keys_in(data))
    assert list(filled["properties"]["labels"]["properties"]) == ["team/y"]
