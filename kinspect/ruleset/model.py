"""A rule as the engine sees it: its texts, where its failures point, how it builds results."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from kinspect.model import Result
from kinspect.ruleset.fixspec import FixOp
from kinspect.ruleset.relation_spec import Step
from kinspect.ruleset.schema import CompiledSchema, compile_schema


@dataclass(frozen=True, slots=True)
class Texts:
    """Human-readable texts of a rule in one language."""

    title: str
    message: str
    risk: str
    fix: str


@dataclass(frozen=True, slots=True)
class LocateHint:
    """Point a failure at `path` when it exists (and its value satisfies `when`)."""

    path: tuple[str | int, ...]
    when: dict[str, Any] | bool | None


@dataclass(frozen=True, slots=True)
class MessageCase:
    """A failure message for targets that satisfy `when`."""

    when: dict[str, Any] | bool
    texts: dict[str, str]
    fix: dict[str, str] | None = None
    """A fix for this case (e.g. naming the replacement), instead of texts.<lang>.fix."""


@dataclass(frozen=True, slots=True)
class Definition:
    """One entry of a versioned rule: from which Kubernetes minor, at which levels, which schema."""

    minor: int
    levels: frozenset[str]
    schema: dict[str, Any] | bool


@dataclass(eq=False)
class Rule:
    """One check, as declared in its rule file."""

    id: str
    category: str
    severity: str
    scope: str
    schema: dict[str, Any] | bool
    texts: dict[str, Texts]
    fix_example: str
    references: list[str]
    file: str
    enabled: bool = True
    kinds: frozenset[str] | None = None
    exclude_kinds: frozenset[str] = frozenset()
    api_versions: frozenset[str] | None = None
    """Only resources with one of these apiVersions (None: any)."""
    api_groups: frozenset[str] | None = None
    """Only resources of one of these API groups, any version ("" is the core group; None: any),
    as a Polaris target such as `apps/Deployment` names them."""
    container_types: frozenset[str] = frozenset({"containers"})
    locate: list[LocateHint] = field(default_factory=list)
    messages: list[MessageCase] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    overrides: bool = False
    analysis: str | None = None
    """Name of the built-in analysis that produces this rule's results (instead of `schema`)."""
    relations: tuple[Step, ...] = ()
    """Cross-resource steps, resolved once every input is read (see relations.py)."""
    source: dict[str, Any] | None = field(default=None, repr=False)
    """The rule file's data: `with_parameters` rebuilds the rule from it."""
    fix: tuple[FixOp, ...] = ()
    """What `kinspect fix` changes in a failing target (see fixspec.py); empty: no fix."""
    versions: tuple[Definition, ...] = ()
    """Definitions by version (ascending): the schema and levels in force from each minor."""
    _variants: dict[int, Rule] = field(default_factory=dict, repr=False, compare=False)

    def definition(self, level: str, minor: int | None) -> int | None:
        """The index of the definition in force at `level` and `v1.<minor>` (None: latest);
        None when the rule is inactive there."""
        found = None
        for index, entry in enumerate(self.versions):
            if minor is None or entry.minor <= minor:
                found = index
        if found is None or level not in self.versions[found].levels:
            return None
        return found

    def variant(self, index: int) -> Rule:
        """The rule with the schema of definition `index` (built once)."""
        rule = self._variants.get(index)
        if rule is None:
            entry = self.versions[index]
            rule = replace(self, schema=entry.schema, versions=(), _variants={})
            self._variants[index] = rule
        return rule

    @cached_property
    def validator(self) -> CompiledSchema:
        """The rule's schema, compiled once."""
        return compile_schema(self.schema)

    def applies_to_kind(self, kind: str) -> bool:
        """Whether the rule targets resources of `kind`."""
        if kind in self.exclude_kinds:
            return False
        return self.kinds is None or kind in self.kinds

    def applies_to(self, api_version: object, kind: str) -> bool:
        """Whether the rule targets resources of this apiVersion and kind."""
        if self.api_versions is not None and api_version not in self.api_versions:
            return False
        if self.api_groups is not None and api_group(api_version) not in self.api_groups:
            return False
        return self.applies_to_kind(kind)

    def text(self, lang: str) -> Texts:
        """Texts in `lang`, falling back to English."""
        return self.texts.get(lang) or self.texts["en"]

    def result(
        self,
        *,
        file: str,
        position: tuple[int, int],
        passed: bool,
        message: str,
        lang: str,
        resource: tuple[str, str | None, str],
        path: str,
        container: tuple[str | None, str | None] = (None, None),
        severity: str | None = None,
        fix: str | None = None,
    ) -> Result:
        """A result of this rule: its id, category, severity and fix text filled in.

        `resource` is (kind, namespace, name), `container` (label, type), `path` dotted.
        """
        return Result(
            file=file,
            line=position[0],
            column=position[1],
            check=self.id,
            passed=passed,
            severity=severity or self.severity,
            category=self.category,
            message=message,
            fix=self.text(lang).fix if fix is None else fix,
            kind=resource[0],
            namespace=resource[1],
            name=resource[2],
            container=container[0],
            container_type=container[1],
            path=path,
        )


def api_group(api_version: object) -> str | None:
    """The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ""); None when not a text."""
    return api_version.rpartition("/")[0] if isinstance(api_version, str) else None
