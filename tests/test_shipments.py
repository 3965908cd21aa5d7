import pytest

from bigcommerce.shipments import (
    ShipmentError, carrier_fields, carrier_mapping_error, existing_shipments, shipment_payloads, tracking_links,
    tracking_update,
)


def test_one_shipment_per_address_with_whole_units_and_tracking():
    payloads = shipment_payloads({12: [(31, 2.0), (32, 0.0)], 11: [(30, 1)]}, "WH/OUT/00007",
                                 tracking_number=" 1Z999 ", carrier={"shipping_method": "UPS Ground"})
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


def test_a_retry_also_recognises_the_shipments_it_recorded():
    shipments = [{"id": 1, "comments": "edited in BigCommerce"}, {"id": 2, "comments": ""}]
    assert [s["id"] for s in existing_shipments(shipments, "WH/OUT/00007", ["1"])] == [1]


def test_a_mapped_carrier_sends_its_provider_or_tracking_carrier_else_its_name():
    assert carrier_fields("UPS Ground", "ups") == {"shipping_provider": "ups"}
    assert carrier_fields("Our courier", "carrier", " 1234567 ") == {"shipping_provider": "carrier_1234567"}
    assert carrier_fields("DHL", tracking_carrier="dhl") == {"tracking_carrier": "dhl"}
    assert carrier_fields("Royal Mail 24", "royalmail", tracking_carrier="royal-mail") == {
        "shipping_provider": "royalmail", "tracking_carrier": "royal-mail"}
    assert carrier_fields("Van") == {"shipping_method": "Van"}
    assert carrier_fields("") == {}


@pytest.mark.parametrize("mapping, reason", [
    (("dhl",), "is not one BigCommerce knows"),
    (("carrier", ""), "give its BigCommerce carrier id"),
    (("carrier", "carrier_12"), "give its BigCommerce carrier id"),
    (("", "", "Royal Mail"), "is not an AfterShip courier slug"),
])
def test_a_mapping_bigcommerce_would_refuse_says_why(mapping, reason):
    assert reason in carrier_mapping_error("Courier", *mapping)
    with pytest.raises(ShipmentError, match=reason):
        carrier_fields("Courier", *mapping)
    assert carrier_mapping_error("Courier", "upsready") is None


def test_a_tracking_number_added_later_updates_the_shipment_once():
    carrier = {"shipping_provider": "ups"}
    assert tracking_update({"id": 4, "tracking_number": ""}, "WH/OUT/1", " 1Z999 ", carrier) == {
        "tracking_number": "1Z999", "shipping_provider": "ups"}
    assert tracking_update({"id": 4, "tracking_number": "1Z999"}, "WH/OUT/1", "1Z999", carrier) == {}
    assert tracking_update({"id": 4, "tracking_number": "typed in BigCommerce"}, "WH/OUT/1", "", carrier) == {}
    with pytest.raises(ShipmentError, match="at most 50"):
        tracking_update({"id": 4, "tracking_number": ""}, "WH/OUT/1", "X" * 51)


def test_tracking_links_prefer_bigcommerce_s_own_and_come_once():
    shipments = [{"generated_tracking_link": "https://ups/1Z", "tracking_link": ""},
                 {"generated_tracking_link": "https://ups/1Z"}, {"generated_tracking_link": "", "tracking_link": "https://own/1"},
                 {"generated_tracking_link": ""}]
    assert tracking_links(shipments) == ["https://ups/1Z", "https://own/1"]
