from urllib.parse import urlsplit

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..bigcommerce.client import DEFAULT_API_URL
from ..const import WEBHOOK_SCOPES, WEBHOOKS
from ..controllers.main import BigCommerceWebhookController


class BigCommerceWebhook(models.Model):
    """One webhook (orders, customers) of a store as BigCommerce reported it at the last Check, Register
    or Repair Webhooks: the instance form lists them so the merchant sees their status."""

    _name = "bc.webhook"
    _description = "BigCommerce Webhook"
    _order = "instance_id, scope"
    _rec_name = "scope"

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    scope = fields.Char(required=True, readonly=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", readonly=True)
    destination = fields.Char(readonly=True)
    state = fields.Selection([("active", "Active"), ("inactive", "Inactive"), ("missing", "Missing")],
                             required=True, readonly=True,
                             help="Inactive: BigCommerce stopped delivering (after 48 hours of failures or 90 idle "
                                  "days); Missing: not registered. Repair Webhooks fixes both.")
    checked_at = fields.Datetime(string="Last Check", readonly=True)

    _sql_constraints = [
        ("scope_unique", "UNIQUE(instance_id, scope)", "A store has one webhook per scope."),
    ]

    @api.model
    def _bigcommerce_url(self, instance):
        """Where BigCommerce delivers the webhooks of ``instance``: this database's public address."""
        base_url = (self.env["ir.config_parameter"].sudo().get_param("web.base.url") or "").rstrip("/")
        url = base_url + BigCommerceWebhookController.webhook_path(instance.id)
        parsed = urlsplit(url)
        # BigCommerce delivers only to HTTPS on port 443; the sandbox accepts any address.
        if instance.api_url == DEFAULT_API_URL and (parsed.scheme != "https" or parsed.port not in (None, 443)):
            raise UserError(_(
                "BigCommerce sends webhooks only to an https address on port 443, and this database's address is "
                "%(url)s. Set the system parameter web.base.url to the public https address of this Odoo, then "
                "try again.", url=base_url or _("not set")))
        return url

    @api.model
    def _bigcommerce_sync(self, instance, reactivate, create=True):
        """Create the webhooks BigCommerce lacks for this database (unless ``create`` is
        off: only check); with ``reactivate``, switch back on those BigCommerce deactivated
        (after 48 h of failures or 90 idle days). The store's webhook list shows the result."""
        instance.ensure_one()
        if not instance.sudo().client_secret:
            raise UserError(_("Enter the client secret of the store's API account first: BigCommerce signs "
                              "webhooks with it, and unsigned webhooks are refused."))
        destination = self._bigcommerce_url(instance)
        with instance._user_errors(), instance._bigcommerce_client() as client:
            existing = {hook["scope"]: hook for hook in client.iter_webhooks()
                        if hook.get("destination") == destination}
            report = []
            webhooks = []
            for scope in WEBHOOK_SCOPES:
                hook = existing.get(scope)
                if not hook and not create:
                    report.append(_("%(scope)s: missing (use Register Webhooks)", scope=scope))
                elif not hook:
                    hook = client.create_webhook(scope, destination)
                    report.append(_("%(scope)s: created", scope=scope))
                elif not hook.get("is_active") and reactivate:
                    hook = client.update_webhook(hook["id"], {"is_active": True})
                    report.append(_("%(scope)s: reactivated", scope=scope))
                elif not hook.get("is_active"):
                    report.append(_("%(scope)s: inactive (use Repair Webhooks)", scope=scope))
                else:
                    report.append(_("%(scope)s: active", scope=scope))
                webhooks.append(Command.create({
                    "scope": scope, "bigcommerce_id": hook and hook.get("id") or 0, "destination": destination,
                    "state": "missing" if not hook else "active" if hook.get("is_active") else "inactive",
                    "checked_at": fields.Datetime.now(),
                }))
        instance.webhook_ids = [Command.clear(), *webhooks]
        instance._log(_("Destination: %(url)s", url=destination) + "\n" + "\n".join(report), operation=WEBHOOKS)
        all_active = all(webhook.state == "active" for webhook in instance.webhook_ids)
        return self.env["marketplace.queue.job"]._notification(
            _("Webhooks active") if all_active else _("Webhooks need attention"), " · ".join(report),
            notification_type="success" if all_active else "warning")
