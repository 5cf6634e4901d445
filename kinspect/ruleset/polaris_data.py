"""A rule file's data as Polaris mode sees it: its `polaris` block merged in.

kinspect's own mode applies Kubernetes' defaulting and semantics; a Polaris config asks for
Polaris's verdicts. The differences are data in each rule file (`polaris:`), documented on the
rule's page; this module only merges them into the rule's data (config/polaris_mode.py builds
the rule from it).
"""

from __future__ import annotations

from typing import Any

REPLACED = ("schema", "locate", "messages", "relations")


def polaris_data(data: dict[str, Any]) -> dict[str, Any]:
    """A rule file's data with its `polaris` block applied (and removed)."""
    block = data.get("polaris") or {}
    merged = {key: value for key, value in data.items() if key != "polaris"}
    parameters = {**data.get("parameters", {}), **block.get("parameters", {})}
    if parameters:
        merged["parameters"] = parameters
    for key in REPLACED:
        if key in block:
            merged[key] = block[key]
    if "exempt" in block:
        merged = _exempted(merged, block["exempt"])
    return merged


def _exempted(data: dict[str, Any], exempt: Any) -> dict[str, Any]:
    """Targets that satisfy `exempt` pass: the schema holds for them, and no step applies."""
    schema = data.get("schema", True)
    if schema is not True:
        inner = {k: v for k, v in schema.items() if k != "$schema"} if schema else schema
        wrapped: dict[str, Any] = {"if": exempt, "then": True, "else": inner}
        if isinstance(schema, dict) and "$schema" in schema:  # the draft stays at the top
            wrapped = {"$schema": schema["$schema"], **wrapped}
        data = {**data, "schema": wrapped}
    steps = [
        {
            **step,
            "when": {"not": exempt}
            if "when" not in step
            else {"allOf": [{"not": exempt}, step["when"]]},
        }
        for step in data.get("relations", ())
    ]
    return {**data, "relations": steps} if steps else data
