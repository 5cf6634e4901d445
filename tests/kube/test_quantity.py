"""Kubernetes quantities, as Polaris's resourceMinimum/resourceMaximum compare them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kinspect.kube.quantity import parse_quantity, within


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100Mi", 100 * 2**20),
        ("6G", 6 * 10**9),
        ("100m", Decimal("0.1")),
        ("2", 2),
        (2, 2),
        ("1.5", Decimal("1.5")),
        (0.5, Decimal("0.5")),
        ("1e3", 1000),
        ("1E-3", Decimal("0.001")),
        ("1Ki", 1024),
        ("500u", Decimal("0.0005")),
        (".5", Decimal("0.5")),
    ],
)
def test_quantities(text: object, value: object) -> None:
    assert parse_quantity(text) == Decimal(str(value))


@pytest.mark.parametrize("text", ["", "Mi", "1MB", "1.2.3", "one", True, None, [1], "1 Gi"])
def test_not_quantities(text: object) -> None:
    assert parse_quantity(text) is None


def test_bounds_are_inclusive_and_compare_across_suffixes() -> None:
    assert within("128Mi", minimum="100Mi", maximum="6G")
    assert within("100Mi", minimum="100Mi")
    assert not within("99Mi", minimum="100Mi")
    assert not within("7G", maximum="6G")
    assert within("6Gi", minimum="6G")  # 6 GiB is more than 6 GB
    assert within("250m", maximum=1) and not within("1500m", maximum="1.5m")
    assert not within("lots", minimum="1") and not within("1", minimum="lots")
