from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _filter_to_unlink(self):
        """A variant listed in BigCommerce is archived, not deleted, when its value leaves an attribute
        line: its mapping stays, so that Update Listing deletes its BigCommerce variant."""
        listed = self.env["bc.product.binding"].sudo().search(
            [("product_id", "in", self.ids), ("listing_id", "!=", False)]).product_id
        return super(ProductProduct, self - listed)._filter_to_unlink()
