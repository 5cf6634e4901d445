"""What the engine needs besides the inputs: rules, language, suppression, input options."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from kinspect.check.pod_security import NAMESPACE_LABELS
from kinspect.engine.prefilter import Needed, needed_by
from kinspect.inputs.streams import InputOptions
from kinspect.kube.pod_security import Policy
from kinspect.kube.targets import Resource, Target
from kinspect.parse.limits import DEFAULT_LIMITS, AliasBudget, Limits
from kinspect.ruleset.model import Rule
from kinspect.ruleset.relation_spec import KeptPaths, kept_paths_of
from kinspect.suppress.suppressor import Suppressor


@dataclass(frozen=True)
class Settings:
    """The engine's view of a run: rules, language, suppression, input reading, limits."""

    rules: tuple[Rule, ...]
    lang: str = "en"
    suppressor: Suppressor | None = None
    """Exemptions and known checks; inline comments and annotations apply even without it."""
    inputs: InputOptions | None = None
    """How charts, kustomizations and clusters are read (default: InputOptions())."""
    limits: Limits = DEFAULT_LIMITS
    """Per-input bounds on size, nesting, documents and nodes (kinspect/parse/limits.py)."""
    aliases: AliasBudget = field(default_factory=AliasBudget, init=False, compare=False)
    """What the aliases read so far stand for: the run's budget (each worker has its own)."""
    pod_security: Policy | None = None
    """The enforce policy of namespaces without Pod Security labels (`--pod-security`)."""
    pod_security_possible: bool = True
    """Whether any namespace may get a Pod Security level; False skips the versioned rules
    (`inspect_sources` finds out from the inputs, kinspect/engine/policy_scan.py)."""
    _rules_by_target: dict[tuple[str, str, str, str | None], tuple[Rule, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """`rules_for`, remembered per (scope, apiVersion, kind, container type)."""

    @cached_property
    def active_suppressor(self) -> Suppressor:
        """`suppressor`, else one without exemptions (inline comments and annotations apply)."""
        return self.suppressor or Suppressor(lang=self.lang)

    @cached_property
    def scopes(self) -> frozenset[str]:
        """Target scopes that at least one rule needs."""
        return frozenset(rule.scope for rule in self.rules)

    def rules_for(self, target: Target, resource: Resource) -> tuple[Rule, ...]:
        """The rules evaluated on a target of this resource (not analyses)."""
        api_version = resource.data.get("apiVersion")
        if not isinstance(api_version, str):
            return tuple(_matching(self.rules, target, resource))
        container_type = target.container.type if target.container else None
        key = (target.scope, api_version, resource.kind, container_type)
        found = self._rules_by_target.get(key)
        if found is None:
            found = self._rules_by_target[key] = tuple(_matching(self.rules, target, resource))
        return found

    @cached_property
    def needed(self) -> Needed:
        """Whether a document of some apiVersion and kind is read by any rule (prefilter)."""
        return needed_by(self.rules, self.kept_paths)

    @cached_property
    def kept_paths(self) -> KeptPaths:
        """What each file keeps for the cross-resource rules."""
        kept = kept_paths_of([rule.relations for rule in self.rules if rule.relations])
        if any(rule.versions for rule in self.rules):  # a Namespace's labels decide the policy
            kept.kinds["Namespace"].add(NAMESPACE_LABELS)
        return kept


def _matching(rules: Iterable[Rule], target: Target, resource: Resource) -> Iterable[Rule]:
    """The rules (not analyses) evaluated on a target of this resource."""
    for rule in rules:
        if rule.analysis is not None or rule.scope != target.scope:
            continue
        if not rule.applies_to(resource.data.get("apiVersion"), resource.kind):
            continue
        if target.container is not None and target.container.type not in rule.container_types:
            continue
        yield rule
