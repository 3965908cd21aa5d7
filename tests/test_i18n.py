"""Text the pure core builds for people keeps its English template and parameters, so that
the Odoo side can translate it; the templates are literals that Odoo's term export finds."""
import ast
import os
import pickle
import re

import pytest

from bigcommerce import i18n
from bigcommerce.errors import error_for_response
from bigcommerce.i18n import Text, _lt
from bigcommerce.orders import map_order
from bigcommerce.shipments import ShipmentError, shipment_payloads

CORE = os.path.dirname(i18n.__file__)


def test_text_is_its_english_string_and_keeps_template_and_params():
    text = _lt("Shipping: %(method)s", method=_lt("shipping"))
    assert text == "Shipping: shipping" and isinstance(text, str)
    assert (text.template, text.params["method"].template) == ("Shipping: %(method)s", "shipping")
    assert pickle.loads(pickle.dumps(text)).params == text.params
    assert _lt("Handling").params == {}


def test_order_line_names_are_texts():
    order = {"id": 1, "status_id": 11, "products": [], "discount_amount": "5", "coupon_discount": "0",
             "wrapping_cost_ex_tax": "2", "wrapping_cost_inc_tax": "2", "total_ex_tax": "0", "total_inc_tax": "0"}
    lines = map_order(order, products=[], shipping_addresses=[
        {"id": 7, "shipping_method": "", "cost_ex_tax": "4", "cost_inc_tax": "4", "handling_cost_ex_tax": "1",
         "handling_cost_inc_tax": "1"}]).lines
    names = {line.kind: line.name for line in lines if line.kind != "rounding"}
    assert names == {"shipping": "Shipping: shipping", "handling": "Handling", "wrapping": "Gift wrapping",
                     "discount": "Order discount"}
    assert {kind: name.template for kind, name in names.items()} == {
        "shipping": "Shipping: %(method)s", "handling": "Handling", "wrapping": "Gift wrapping",
        "discount": "Order discount"}


def test_error_and_rule_messages_are_texts():
    error = error_for_response(404, "GET", "/v2/orders/5", {"title": "gone"})
    assert isinstance(error.user_message, Text) and error.user_message.params == {"path": "/v2/orders/5"}
    assert isinstance(error_for_response(422, "PUT", "/v2/orders/5", {}).user_message.params["details"], Text)
    with pytest.raises(ShipmentError) as caught:
        shipment_payloads({1: [(2, "1.5")]}, "WH/OUT/1")
    assert caught.value.args[0].template.startswith("%(delivery)s delivers %(quantity)s units")


def _marker_calls():
    for name in sorted(os.listdir(CORE)):
        if name.endswith(".py"):
            tree = ast.parse(open(os.path.join(CORE, name), encoding="utf-8").read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_lt":
                    yield name, node


def test_every_marked_template_is_a_literal_with_named_placeholders_only():
    calls = list(_marker_calls())
    assert len(calls) > 30
    for name, call in calls:
        template = call.args[0] if call.args else None
        assert isinstance(template, ast.Constant) and isinstance(template.value, str), \
            f"{name}:{call.lineno}: Odoo's export only sees a literal template"
        assert len(call.args) == 1, f"{name}:{call.lineno}: named parameters only"
        keywords = {keyword.arg for keyword in call.keywords}
        for placeholder in re.findall(r"%\((\w+)\)s", template.value):
            assert placeholder in keywords, f"{name}:{call.lineno}: %({placeholder})s has no value"
