"""Label selectors: matching, and indexes that find candidates without scanning everything."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

Labels = Mapping[str, str]
T = TypeVar("T")

LABEL_SELECTOR = "labelSelector"
MAP = "map"


def labels_of(value: Any) -> dict[str, str]:
    """A labels mapping as strings; anything else is no labels."""
    return dict(_pairs(value)) if isinstance(value, dict) else {}


def _pairs(mapping: dict[Any, Any]) -> Iterator[tuple[str, str]]:
    """A labels mapping's pairs as strings (keys that are not texts, and nulls, left out)."""
    for key, value in mapping.items():
        if isinstance(key, str) and value is not None:
            yield key, value if type(value) is str else _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def selects(selector: Any, labels: Labels, form: str = LABEL_SELECTOR) -> bool:
    """Whether `selector` selects `labels`.

    A LabelSelector (`matchLabels`, `matchExpressions`) that is empty selects everything; a
    missing one selects nothing. A `map` selector (a Service's `spec.selector`) selects nothing
    when empty, as Kubernetes does.
    """
    if not isinstance(selector, dict):
        return False
    if form == MAP:
        return _carried(selector, labels) is True
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, dict) or _carried(match_labels, labels) is False:
        return False
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list):
        return False
    return all(_expression(e, labels) for e in expressions)


def _carried(pairs: dict[Any, Any], labels: Labels) -> bool | None:
    """Whether `labels` carries every pair of `pairs` read as `labels_of` reads them (None:
    there is none). Called once per candidate of a selector: builds nothing."""
    some = False
    for key, value in _pairs(pairs):
        if labels.get(key) != value:
            return False
        some = True
    return True if some else None


def _expression(expression: Any, labels: Labels) -> bool:
    if not isinstance(expression, dict):
        return False
    key = expression.get("key")
    if not isinstance(key, str):
        return False
    operator = expression.get("operator")
    values = expression.get("values") or []
    values = {_text(v) for v in values} if isinstance(values, list) else set()
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False  # an unknown operator is rejected by the API server


def required_pairs(selector: Any, form: str) -> list[tuple[str, str]]:
    """Label pairs every resource a selector selects must carry (from matchLabels / the map)."""
    if not isinstance(selector, dict):
        return []
    pairs = selector if form == MAP else selector.get("matchLabels")
    return sorted(labels_of(pairs).items())


class LabelIndex(Generic[T]):
    """Items by label pair: the candidates a selector may select, without a full scan."""

    def __init__(self, items: Iterable[T], labels: Callable[[T], Labels]) -> None:
        self.items = list(items)
        self._by_pair: dict[tuple[str, str], list[T]] = defaultdict(list)
        for item in self.items:
            for pair in labels(item).items():
                self._by_pair[pair].append(item)

    def candidates(self, selector: Any, form: str) -> list[T]:
        """Items carrying the rarest required pair, or every item if the selector has none."""
        pairs = required_pairs(selector, form)
        if not pairs:
            return self.items
        return min((self._by_pair.get(pair, []) for pair in pairs), key=len)


class SelectorIndex(Generic[T]):
    """Items by one pair their selector requires: the selectors that may select given labels."""

    def __init__(self, items: Iterable[T], selector: Callable[[T], Any], form: str) -> None:
        self._unkeyed: list[T] = []
        self._by_pair: dict[tuple[str, str], list[T]] = defaultdict(list)
        for item in items:
            pairs = required_pairs(selector(item), form)
            if pairs:
                self._by_pair[pairs[0]].append(item)
            else:
                self._unkeyed.append(item)

    def candidates(self, labels: Labels) -> list[T]:
        """Items whose selector may select `labels` (to be confirmed with `selects`)."""
        found = list(self._unkeyed)
        for pair in labels.items():
            found.extend(self._by_pair.get(pair, ()))
        return found
