from decimal import Decimal

import pytest

from bigcommerce.catalog_sync import changed_adjustments, export_quantity, price_updates, stock_adjustments


@pytest.mark.parametrize("available, qty_type, value, expected", [
    (10, "percentage", 100, 10),
    (10, "percentage", 50, 5),
    (7, "percentage", 50, 3),  # never promise half a unit
    (-3, "percentage", 100, 0),  # negative forecast publishes nothing
    (10.9, "percentage", 100, 10),
    (10, "fixed", 4, 4),
    (2, "fixed", 4, 2),  # never more than Odoo has
])
def test_export_quantity(available, qty_type, value, expected):
    assert export_quantity(available, qty_type, value) == expected


def test_only_changed_known_items_are_adjusted():
    items = [
        {"identity": {"sku": "TSHIRT-S"}, "total_inventory_onhand": 25},
        {"identity": {"sku": "TSHIRT-M"}, "total_inventory_onhand": 40},
        {"identity": {"sku": "NOT-IN-ODOO"}, "total_inventory_onhand": 3},
    ]
    adjustments = stock_adjustments(items, {"tshirt-s": 25, "TSHIRT-M": 12}, 1)
    assert adjustments == [{"location_id": 1, "sku": "TSHIRT-M", "quantity": 12}]


def test_a_full_export_also_fixes_what_was_changed_in_bigcommerce():
    items = [{"identity": {"sku": "A"}, "total_inventory_onhand": 3}]  # sent 5 last time, sold 2 there
    assert stock_adjustments(items, {"A": 5}, 2) == [{"location_id": 2, "sku": "A", "quantity": 5}]


def test_the_incremental_export_sends_only_what_changed_since_it_was_sent():
    sent = {"A": 5, "B": 7, "GONE": 1}
    targets = {"A": 5, "B": 6, "NEW": 4}  # GONE: no longer in Odoo; NEW: never sent, left to the full export
    assert changed_adjustments(sent, targets, 1) == [{"location_id": 1, "sku": "B", "quantity": 6}]


def test_prices_compare_at_currency_precision_and_stay_decimal():
    variants = [{"id": 171, "sku": "A", "price": 20.0}, {"id": 172, "sku": "B", "price": 20.0}, {"id": 9, "sku": "Z", "price": 1}]
    updates = price_updates(variants, {"A": Decimal("20.004"), "B": Decimal("21.5")})
    assert updates == [{"id": 172, "price": Decimal("21.50")}]
    assert isinstance(updates[0]["price"], Decimal)
