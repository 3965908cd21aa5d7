import pytest

from bigcommerce.shipments import ShipmentError, existing_shipments, shipment_payloads


def test_one_shipment_per_address_with_whole_units_and_tracking():
    payloads = shipment_payloads({12: [(31, 2.0), (32, 0.0)], 11: [(30, 1)]}, "WH/OUT/00007",
                                 tracking_number=" 1Z999 ", shipping_method="UPS Ground")
    assert payloads == [
        {"order_address_id": 11, "items": [{"order_product_id": 30, "quantity": 1}],
         "comments": "Odoo delivery WH/OUT/00007", "tracking_number": "1Z999", "shipping_method": "UPS Ground"},
        {"order_address_id": 12, "items": [{"order_product_id": 31, "quantity": 2}],
         "comments": "Odoo delivery WH/OUT/00007", "tracking_number": "1Z999", "shipping_method": "UPS Ground"},
    ]


def test_nothing_delivered_makes_no_shipment():
    assert shipment_payloads({11: [(30, 0)]}, "WH/OUT/1") == []


def test_fractions_and_long_tracking_numbers_are_refused_with_the_reason():
    with pytest.raises(ShipmentError, match="whole units"):
        shipment_payloads({11: [(30, 1.5)]}, "WH/OUT/1")
    with pytest.raises(ShipmentError, match="at most 50"):
        shipment_payloads({11: [(30, 1)]}, "WH/OUT/1", tracking_number="X" * 51)


def test_a_retry_recognises_the_shipments_it_made():
    shipments = [{"id": 1, "comments": "Odoo delivery WH/OUT/00007"}, {"id": 2, "comments": "by hand"},
                 {"id": 3, "comments": "Odoo delivery WH/OUT/000071"}]
    assert [s["id"] for s in existing_shipments(shipments, "WH/OUT/00007")] == [1]
