from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..bigcommerce.shipments import STANDARD_PROVIDERS, THIRD_PARTY_PROVIDER, carrier_fields, carrier_mapping_error
from .bc_translate import translate


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    bigcommerce_shipping_provider = fields.Selection(
        [*sorted(STANDARD_PROVIDERS.items(), key=lambda item: item[1]),
         (THIRD_PARTY_PROVIDER, "Third-party shipping provider")],
        string="BigCommerce Shipping Provider",
        help="The provider BigCommerce's shipments of this carrier name, so that BigCommerce builds the tracking "
             "link from the tracking number. Empty, and without a tracking carrier: the carrier's name is sent as "
             "the shipping method, with no link.")
    bigcommerce_provider_carrier_id = fields.Char(
        string="BigCommerce Carrier ID",
        help="The id of the third-party shipping provider in BigCommerce: shipments name it carrier_{id}.")
    bigcommerce_tracking_carrier = fields.Char(
        string="AfterShip Tracking Carrier",
        help="The AfterShip courier slug (for example dhl, royal-mail) BigCommerce builds the tracking link with, "
             "for carriers that are no BigCommerce shipping provider.")

    @api.constrains("bigcommerce_shipping_provider", "bigcommerce_provider_carrier_id", "bigcommerce_tracking_carrier")
    def _check_bigcommerce_mapping(self):
        for carrier in self:
            error = carrier_mapping_error(carrier.name, *carrier._bigcommerce_mapping())
            if error:
                raise ValidationError(translate(self.env, error))

    def _bigcommerce_mapping(self):
        return (self.bigcommerce_shipping_provider or "", self.bigcommerce_provider_carrier_id or "",
                self.bigcommerce_tracking_carrier or "")

    def _bigcommerce_shipment_fields(self):
        """What a BigCommerce shipment of this carrier says of it (see ``carrier_fields``)."""
        return carrier_fields(self.name or "", *self._bigcommerce_mapping()) if self else {}
