from odoo import _, api, fields, models
from odoo.exceptions import UserError


class BigCommerceListingChannelWizard(models.TransientModel):
    """Manage Sales Channels: publish the chosen listings on channels, or take them off some."""

    _name = "bc.listing.channel.wizard"
    _description = "Manage Sales Channels"

    listing_ids = fields.Many2many("bc.listing", string="Listings", required=True)
    instance_id = fields.Many2one("bc.instance", string="Store", compute="_compute_instance_id")
    channel_ids = fields.Many2many("bc.channel", string="Sales Channels", domain="[('instance_id', '=', instance_id)]",
                                   help="Publish adds these channels and keeps the others; Unpublish removes only these.")

    @api.depends("listing_ids")
    def _compute_instance_id(self):
        for wizard in self:
            wizard.instance_id = wizard.listing_ids.instance_id[:1]

    def action_publish(self):
        return self._apply(publish=True)

    def action_unpublish(self):
        return self._apply(publish=False)

    def _apply(self, publish):
        self.ensure_one()
        if len(self.listing_ids.instance_id) > 1:
            raise UserError(_("Choose listings of one store at a time: sales channels belong to a store."))
        if not self.channel_ids:
            raise UserError(_("Choose the sales channels to publish on or unpublish from."))
        instance = self.instance_id
        with instance._user_errors():
            message = instance._publish_listings(self.listing_ids, self.channel_ids, publish)
        return self.env["marketplace.queue.job"]._notification(
            _("Published") if publish else _("Unpublished"), message)
