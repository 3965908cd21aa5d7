from odoo import _, models


class BigCommerceListing(models.Model):
    """The listing's actions that change BigCommerce: Update Listing and Manage Sales Channels."""

    _inherit = "bc.listing"

    def action_bigcommerce_update_listing(self):
        """Queue the push of these listings (Update Listing); nothing is sent unless asked."""
        jobs = self.env["marketplace.queue.job"]
        for instance, listings in self.grouped("instance_id").items():
            jobs |= instance._queue_listing_update(listings)
        return jobs._notify_queued(_("Nothing new to queue: these listings are already waiting to be updated."))

    def action_bigcommerce_manage_channels(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Manage Sales Channels"),
            "res_model": "bc.listing.channel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_listing_ids": self.ids},
        }
