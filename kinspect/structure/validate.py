"""Structural validation of built-in kinds: unknown fields, wrong types, missing fields.

Runs once per resource, before the other checks, for the analysis rules `unknownField`,
`invalidFieldType` and `missingRequiredField`. Besides its own results it keeps notes: a
misspelt or mistyped field is named in the message of every other check that reads that
field, so a check that passes because of a typo says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any

from ruamel.yaml.nodes import Node

from kinspect.kube.paths import Path, dotted, get_path
from kinspect.kube.targets import CONTAINER_TYPES, Resource, Target, pod_spec_path
from kinspect.model import Result
from kinspect.parse.locate import locate
from kinspect.ruleset.model import Rule
from kinspect.structure.apischema import Problem, shape_of, walk
from kinspect.structure.diagnosis import facts_of, noted_field, render

ANALYSES = ("unknownField", "invalidFieldType", "missingRequiredField")
FACTS: dict[str, frozenset[str]] = {
    "unknownField": frozenset({"key", "object", "suggestion", "belongsTo", "line", "field"}),
    "invalidFieldType": frozenset({"key", "object", "field", "expected", "actual", "line"}),
    "missingRequiredField": frozenset({"key", "object", "line"}),
}
"""Placeholders each analysis fills in besides the usual ones (its `when` cases match them)."""


@dataclass(frozen=True, slots=True)
class Note:
    """A problem that other checks reading `name` near `path` should mention."""

    path: Path
    name: str
    text: str


@dataclass
class Structure:
    """The structural results of one resource, and the notes for the other checks."""

    results: list[Result] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def annotate(self, rule: Rule, target: Target, result: Result) -> Result:
        """`result` with the notes about fields its rule reads added to its message."""
        if not self.notes or rule.analysis is not None:
            return result
        names = read_names(rule)
        texts = [n.text for n in self.notes if n.name in names and _near(n.path, target)]
        if not texts:
            return result
        return replace(result, message=" — ".join([result.message, *texts]))


def check_structure(
    resource: Resource, root: Node, file: str, rules: tuple[Rule, ...], lang: str = "en"
) -> Structure:
    """Validate one resource against its Kubernetes schema (nothing for kinds without one)."""
    chosen = {a: r for a, r in analysis_rules(rules).items() if r.applies_to_kind(resource.kind)}
    shape = shape_of(resource.data) if chosen else None
    if shape is None:
        return Structure()
    context = _Context(resource, root, file, lang)
    extra = _extra_required(chosen.get("missingRequiredField"))
    structure = Structure()
    for problem in walk(shape, resource.data, extra):
        rule = chosen.get(problem.analysis)
        if rule is not None:
            context.add(structure, rule, problem)
    failed = {r.check for r in structure.results}
    for rule in chosen.values():
        if rule.id not in failed:
            structure.results.append(context.passed(rule))
    return structure


@lru_cache(maxsize=32)
def analysis_rules(rules: tuple[Rule, ...]) -> dict[str, Rule]:
    """The structural analysis rules among `rules`, by analysis name."""
    return {r.analysis: r for r in rules if r.analysis is not None and r.analysis in ANALYSES}


class _Context:
    """One resource being reported: file, node tree, language."""

    def __init__(self, resource: Resource, root: Node, file: str, lang: str) -> None:
        self.resource = resource
        self.root = root
        self.file = file
        self.lang = lang
        self.spec_path = pod_spec_path(resource)

    def add(self, structure: Structure, rule: Rule, problem: Problem) -> None:
        path = (*self.resource.path, *problem.path)
        (line, column), _ = locate(self.root, path)
        facts = {**self._standard(path), **facts_of(rule, problem, line)}
        container = self._container(problem.path)
        if container is not None:
            facts["container"] = container
        security = bool(facts.pop("security", False))
        severity = "danger" if security else rule.severity
        message = render(rule, facts, self.lang)
        structure.results.append(
            self._result(rule, (line, column), False, message, path, severity, container)
        )
        name = noted_field(problem, facts)
        if name is not None:
            note = render(rule, {"field": name, **facts, "note": True}, self.lang)
            structure.notes.append(Note(path, name, note))

    def passed(self, rule: Rule) -> Result:
        (line, column), _ = locate(self.root, self.resource.path)
        title = rule.text(self.lang).title
        return self._result(rule, (line, column), True, title, self.resource.path, rule.severity)

    def _standard(self, path: Path) -> dict[str, Any]:
        """The placeholders every rule message may use."""
        resource = self.resource
        where = dotted(path)
        return {
            "kind": resource.kind,
            "name": resource.name,
            "namespace": resource.namespace or "",
            "path": where,
        }

    def _container(self, path: Path) -> str | None:
        spec = self.spec_path
        if spec is None or len(path) < len(spec) + 2 or path[: len(spec)] != spec:
            return None
        kind, index = path[len(spec)], path[len(spec) + 1]
        if kind not in CONTAINER_TYPES or not isinstance(index, int):
            return None
        name = get_path(self.resource.data, (*spec, kind, index, "name"))
        return str(name) if name not in (None, "") else f"{kind}[{index}]"

    def _result(
        self,
        rule: Rule,
        position: tuple[int, int],
        passed: bool,
        message: str,
        path: Path,
        severity: str,
        container: str | None = None,
    ) -> Result:
        resource = self.resource
        return rule.result(
            file=self.file,
            position=position,
            passed=passed,
            message=message,
            lang=self.lang,
            resource=(resource.kind, resource.namespace, resource.name),
            path=dotted(path),
            container=(container, None),
            severity=severity,
        )


def _extra_required(rule: Rule | None) -> dict[str, tuple[str, ...]]:
    if rule is None:
        return {}
    extra = rule.parameters.get("alsoRequired", {})
    return {name: tuple(fields) for name, fields in extra.items()}


@cache
def read_names(rule: Rule) -> frozenset[str]:
    """Field names a rule's schema (or its locate hints) reads."""
    names: set[str] = set()
    _schema_names(rule.schema, names)
    for hint in rule.locate:
        names.update(str(key) for key in hint.path)
    return frozenset(names)


def _schema_names(schema: Any, names: set[str]) -> None:
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties", {})
    names.update(properties)
    names.update(name for name in schema.get("required", ()) if isinstance(name, str))
    children = [*properties.values(), schema.get("items")]
    children += [schema.get(k) for k in ("not", "if", "then", "else")]
    children += [s for k in ("anyOf", "allOf", "oneOf") for s in schema.get(k, ())]
    for child in children:
        _schema_names(child, names)


def _near(path: Path, target: Target) -> bool:
    """Whether a problem at `path` can change what `target` holds: inside it, or in its
    resource outside every other container."""
    if path[: len(target.path)] == target.path:
        return True
    spec = target.pod_spec_path
    if target.container is None or spec is None or path[: len(spec)] != spec:
        return True
    return len(path) == len(spec) or path[len(spec)] not in CONTAINER_TYPES
