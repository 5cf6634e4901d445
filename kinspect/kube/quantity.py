"""Kubernetes resource quantities (`100Mi`, `6G`, `100m`, `2`, `1.5`, `1e3`) as exact numbers."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

_SUFFIXES = {
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}
# A signed decimal number, then a binary or decimal suffix or a decimal exponent.
_QUANTITY = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$"
)


def parse_quantity(value: Any) -> Decimal | None:
    """The quantity's value (a YAML number counts), or None when it is not a quantity."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value.strip())
    if match is None:
        return None
    number, suffix, exponent = match.groups()
    try:
        if exponent is not None:
            return Decimal(number) * Decimal(10) ** int(exponent)
        return Decimal(number) * _SUFFIXES[suffix or ""]
    except InvalidOperation:
        return None


def within(value: Any, minimum: Any = None, maximum: Any = None) -> bool:
    """Whether `value` is a quantity between the bounds given (inclusive)."""
    number = parse_quantity(value)
    if number is None:
        return False
    low = parse_quantity(minimum) if minimum is not None else None
    high = parse_quantity(maximum) if maximum is not None else None
    if (minimum is not None and low is None) or (maximum is not None and high is None):
        return False
    return (low is None or number >= low) and (high is None or number <= high)
