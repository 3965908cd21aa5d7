import logging
from contextlib import contextmanager

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..bigcommerce.client import DEFAULT_API_URL, BigCommerceClient, is_notable_call, shared_budget
from ..bigcommerce.errors import BigCommerceError
from ..bigcommerce.store import STORE_HASH_HELP, is_valid_api_url, parse_store_hash
from ..const import API_CALL, CONFIRM_STORE, EXPORT_SHIPMENT, REFERENCE_KINDS, STATUS_AWAITING_FULFILLMENT
from .bc_translate import translate

_logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 60
# The longest an Odoo worker sleeps for BigCommerce's rate limit before a call: a longer wait
# fails the call as rate-limited, and a queue line is postponed for that long instead.
MAX_RATE_LIMIT_WAIT_SECONDS = 5

# What ``bc.webhook.event._receivers`` reads of a store.
RECEIVER_FIELDS = {"client_secret", "state", "active", "company_id", "marketplace_instance_id"}


class BigCommerceInstance(models.Model):
    """One BigCommerce store. Name, company, active and log retention live on the
    delegated ``marketplace.instance`` so queues and logs are shared with other marketplaces."""

    _name = "bc.instance"
    _inherit = ["bc.order.routing.mixin"]
    _description = "BigCommerce Store"
    _inherits = {"marketplace.instance": "marketplace_instance_id"}
    _order = "name"
    _check_company_auto = True

    marketplace_instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, auto_join=True)
    active = fields.Boolean(related="marketplace_instance_id.active", store=True, readonly=False, default=True)
    state = fields.Selection([("draft", "Draft"), ("confirmed", "Confirmed")], default="draft", required=True, copy=False)

    # Credentials
    store_hash = fields.Char(required=True, copy=False, help=STORE_HASH_HELP)
    access_token = fields.Char(groups="bigcommerce_connector.group_bigcommerce_manager", copy=False)
    client_secret = fields.Char(groups="bigcommerce_connector.group_bigcommerce_manager", copy=False,
                                help="The API account's client secret: BigCommerce signs its webhooks with it.")
    api_url = fields.Char(string="API Address", default=DEFAULT_API_URL, required=True,
                          help="Technical: BigCommerce's API address. Only tests and demos point it elsewhere.")
    store_name = fields.Char(readonly=True, copy=False)
    store_plan = fields.Char(readonly=True, copy=False)
    store_currency = fields.Char(string="Store Currency", readonly=True, copy=False)
    store_timezone = fields.Char(readonly=True, copy=False)

    # General
    warehouse_id = fields.Many2one("stock.warehouse", check_company=True,
                                   default=lambda self: self.env["stock.warehouse"].search(
                                       [("company_id", "=", self.env.company.id)], limit=1),
                                   help="Warehouse of the orders, unless their channel has one (Channels tab).")
    pricelist_id = fields.Many2one("product.pricelist", check_company=True,
                                   help="Pricelist of orders in the store's currency; orders in another currency get one of their own.")
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True,
                              help="Sales team of the orders, unless their channel has one (Channels tab).")
    analytic_distribution = fields.Json(
        help="Analytic distribution of every line of the orders, and so of their invoice lines, unless their "
             "channel has one (Channels tab). Empty: Odoo's analytic distribution models apply.")
    user_id = fields.Many2one("res.users", string="Salesperson", domain="[('share', '=', False)]")

    # Orders
    import_status_ids = fields.Many2many("bc.order.status", string="Import Orders in Status",
                                         domain="[('instance_id', '=', id)]")
    import_orders_after = fields.Datetime(help="Orders created before this moment are not imported.")
    create_company_contact = fields.Boolean(string="Create Company Contact?",
                                            help="Customers with a company name get a company contact as parent.")
    guest_partner_id = fields.Many2one("res.partner", string="Guest Customer", check_company=True,
                                       help="Customer of orders placed without an account.")
    gift_certificate_product_id = fields.Many2one("product.product", domain="[('type', '=', 'service')]")
    custom_product_id = fields.Many2one("product.product", string="Custom Product",
                                        help="Used for order lines that are not in the catalog.")
    shipping_product_id = fields.Many2one("product.product", domain="[('type', '=', 'service')]")
    discount_product_id = fields.Many2one("product.product", domain="[('type', '=', 'service')]")
    wrapping_product_id = fields.Many2one("product.product", string="Gift Wrapping Product",
                                          domain="[('type', '=', 'service')]")
    mark_order_paid = fields.Boolean(string="Mark Order as Paid?",
                                     help="When an order is fully invoiced and paid in Odoo, mark it paid in BigCommerce: "
                                          "its authorised card payment is captured, an offline payment moves it "
                                          "to Awaiting Fulfillment. Also shows Mark as Paid in BigCommerce on the order.")
    last_order_import_at = fields.Datetime(string="Orders Imported Until", readonly=True, copy=False,
                                           help="Orders modified after this moment are imported by the next run.")

    # Stock
    location_ids = fields.One2many("bc.location", "instance_id", string="Locations")
    export_qty_type = fields.Selection([("fixed", "Fixed"), ("percentage", "Percentage")],
                                       string="Export Qty Type", default="percentage", required=True)
    export_qty_value = fields.Float(string="Export Qty Value", default=100.0,
                                    help="Percentage of the available quantity, or a fixed quantity, sent to BigCommerce.")

    # Store data
    order_status_ids = fields.One2many("bc.order.status", "instance_id", string="Order Statuses")
    channel_ids = fields.One2many("bc.channel", "instance_id", string="Channels")
    tax_class_ids = fields.One2many("bc.tax.class", "instance_id", string="Tax Classes")
    category_ids = fields.One2many("bc.category", "instance_id", string="Categories")
    brand_ids = fields.One2many("bc.brand", "instance_id", string="Brands")
    currency_ids = fields.One2many("bc.currency", "instance_id", string="Currencies")

    # Reconciliation
    reconcile_user_id = fields.Many2one(
        "res.users", string="Reconciliation Responsible", domain="[('share', '=', False)]",
        help="Gets an activity when the daily reconciliation finds new differences. Empty: the store's salesperson.")
    reconcile_days = fields.Integer(string="Days Reconciled Daily", default=30,
                                    help="The daily reconciliation compares the orders and refunds of this many days, "
                                         "today included.")

    # Scheduled actions: one ir.cron per store and action, tuned on the store by connector managers.
    scheduled_action_ids = fields.One2many("bc.scheduled.action", "instance_id", string="Scheduled Actions")

    log_count = fields.Integer(compute="_compute_counts")
    job_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        # The last guard, for two stores saved at the same moment; _check_store_hash_free says it first.
        ("store_hash_unique", "UNIQUE(store_hash)", "This BigCommerce store is already connected: one record per store."),
    ]

    # ------------------------------------------------------------------ ORM
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals["marketplace"] = "bigcommerce"
            if vals.get("store_hash"):
                vals["store_hash"] = self._clean_store_hash(vals["store_hash"])
                self._check_store_hash_free(vals["store_hash"])
        instances = super().create(vals_list)
        self._clear_receiver_cache()
        return instances

    def write(self, vals):
        if vals.get("store_hash"):
            vals["store_hash"] = self._clean_store_hash(vals["store_hash"])
            self._check_store_hash_free(vals["store_hash"])
        result = super().write(vals)
        if RECEIVER_FIELDS & vals.keys():
            self._clear_receiver_cache()
        if "active" in vals and not vals["active"]:
            # An archived store must not sync; reactivating leaves the merchant's choice to them.
            self._crons().write({"active": False})
        return result

    def unlink(self):
        crons = self._crons()
        marketplace_instances = self.marketplace_instance_id
        result = super().unlink()
        crons.unlink()
        marketplace_instances.unlink()
        self._clear_receiver_cache()
        return result

    @api.model
    def _clear_receiver_cache(self):
        """Webhook receipts cache each store's secret, company and whether it receives
        (``bc.webhook.event._receivers``); clearing signals the other workers too."""
        self.env.registry.clear_cache()

    @api.model
    def _clean_store_hash(self, value):
        store_hash = parse_store_hash(value)
        if not store_hash:
            raise ValidationError(_("“%(value)s” is not a BigCommerce store hash. %(help)s", value=value,
                                    help=translate(self.env, STORE_HASH_HELP)))
        return store_hash

    def _check_store_hash_free(self, store_hash):
        """Refuse a store already connected (``self``: the stores being saved), before the database
        would: its refusal writes an ERROR to the server log. Other companies' stores count too."""
        if self.sudo().with_context(active_test=False).search_count(
                [("store_hash", "=", store_hash), ("id", "not in", self.ids)], limit=1):
            raise ValidationError(_("The BigCommerce store %(hash)s is already connected in this database (archived "
                                    "stores included): one record per store.", hash=store_hash))

    @api.constrains("api_url")
    def _check_api_url(self):
        for instance in self:
            if not is_valid_api_url(instance.api_url):
                raise ValidationError(_(
                    "“%(url)s” is not an API address: it must start with https://, like %(default)s (the access "
                    "token travels with every call).", url=instance.api_url, default=DEFAULT_API_URL))

    @api.onchange("store_hash")
    def _onchange_store_hash(self):
        if self.store_hash and parse_store_hash(self.store_hash):
            self.store_hash = parse_store_hash(self.store_hash)

    def _crons(self):
        return self.sudo().scheduled_action_ids.cron_id

    def _cron(self, action):
        """The ``ir.cron`` of one of the store's scheduled actions (e.g. "import_orders")."""
        self.ensure_one()
        return self.sudo().scheduled_action_ids.filtered(lambda row: row.action == action).cron_id

    def _compute_counts(self):
        logs = dict(self.env["marketplace.log"]._read_group(
            [("instance_id", "in", self.marketplace_instance_id.ids)], ["instance_id"], ["__count"]))
        jobs = dict(self.env["marketplace.queue.job"]._read_group(
            [("instance_id", "in", self.marketplace_instance_id.ids)], ["instance_id"], ["__count"]))
        for instance in self:
            instance.log_count = logs.get(instance.marketplace_instance_id, 0)
            instance.job_count = jobs.get(instance.marketplace_instance_id, 0)

    # ------------------------------------------------------------ client
    def _bigcommerce_client(self, **options):
        """The REST client of this store; the one way anything here talks to BigCommerce."""
        self.ensure_one()
        credentials = self.sudo()
        if not credentials.access_token:
            raise UserError(_("Enter the access token of the store's API account, then try again."))
        api_url = credentials.api_url or DEFAULT_API_URL
        # ``on_call``: the caller also hears of every call (a count), besides the store's log.
        listener = options.pop("on_call", None)
        on_call = self._log_api_call if listener is None else lambda call: (listener(call), self._log_api_call(call))
        return BigCommerceClient(
            credentials.store_hash, credentials.access_token, api_url=api_url, on_call=on_call,
            # One number, not (connect, read): Odoo's HTTP guard in tests compares it with an int.
            timeout=REQUEST_TIMEOUT_SECONDS, budget=shared_budget(api_url, credentials.store_hash),
            **{"max_rate_limit_wait": MAX_RATE_LIMIT_WAIT_SECONDS, **options},
        )

    def _log_api_call(self, call):
        """Calls that failed, were retried or waited long go to the store's log; routine ones to the server log."""
        if not is_notable_call(call):
            _logger.debug("BigCommerce %s %s -> %s in %sms", call["method"], call["path"], call["status"], call["duration_ms"])
            return
        waited = sum(call.get("waits") or ())
        message = _("%(method)s %(path)s answered %(status)s in %(duration)s ms after %(attempts)s attempt(s)",
                    method=call["method"], path=call["path"], status=call["status"] or _("nothing"),
                    duration=call["duration_ms"], attempts=call["attempts"])
        if waited:
            message += _("; waited %(seconds).1f s for BigCommerce's rate limit or a retry", seconds=waited)
        level = "warning" if call.get("error") else "info"
        self._log(message, level=level, operation=API_CALL)

    def _log(self, message, level="info", **kwargs):
        """Log ``message`` in the store's log (see marketplace.log._log)."""
        return self.marketplace_instance_id._log(message, level=level, **kwargs)

    @contextmanager
    def _user_errors(self):
        """Where a person waits at a button: a BigCommerce failure becomes a sentence they can act
        on. Queue handlers never use it, so that the queue retries what is transient."""
        try:
            yield
        except BigCommerceError as error:
            raise UserError(translate(self.env, error.user_message)) from None

    # ------------------------------------------------------------ actions
    def action_test_connection(self):
        self.ensure_one()
        # Someone is waiting at the button: one attempt, the answer at once.
        with self._user_errors(), self._bigcommerce_client(max_retries=0) as client:
            store = client.store_information()
        self._write_store_information(store)
        # The form reloads after the notification, so the store panel appears at once.
        return self.env["marketplace.queue.job"]._notification(
            _("Connected to %(name)s", name=store.get("name") or self.store_hash),
            _("Plan: %(plan)s. Default currency: %(currency)s. Timezone: %(timezone)s.",
              plan=store.get("plan_name") or "-", currency=store.get("currency") or "-",
              timezone=(store.get("timezone") or {}).get("name") or "-"))

    def _write_store_information(self, store):
        self.write({
            "store_name": store.get("name"),
            "store_plan": store.get("plan_name"),
            "store_currency": store.get("currency"),
            "store_timezone": (store.get("timezone") or {}).get("name"),
        })

    def action_confirm(self):
        """Confirm (or, once confirmed, Update Store Data): import the store data; a first confirmation
        creates the scheduled actions, switched off but for Import Orders when asked to start now; a later one
        adds those the store lacks, switched off."""
        drafts = self.filtered(lambda instance: instance.state == "draft")
        messages = []
        for instance in self:
            with instance._user_errors():
                with instance._bigcommerce_client() as client:
                    instance._write_store_information(client.store_information())
                counts = {kind: len(instance._import_reference(kind)) for kind in REFERENCE_KINDS}
            if not instance.location_ids:
                raise UserError(_("The store %(store)s has no inventory location yet. Create one in BigCommerce "
                                  "(Settings › Inventory › Locations), then click Confirm again.", store=instance.name))
            if not instance.import_status_ids:
                instance.import_status_ids = instance.order_status_ids.filtered(lambda s: s.bc_id == str(STATUS_AWAITING_FULFILLMENT))
            message = _("%(store)s: imported %(order_statuses)s order statuses, %(channels)s channels, %(locations)s "
                        "locations, %(tax_classes)s tax classes, %(categories)s categories, %(brands)s brands and "
                        "%(currencies)s currencies.", store=instance.name, **counts)
            # Update Store Data also adds the scheduled actions a newer version brought (switched off).
            instance._ensure_scheduled_actions()
            if instance in drafts:
                instance.state = "confirmed"
                message += " " + (_("Import Orders is switched on; the other scheduled actions are off "
                                    "(Scheduled Actions tab).")
                                  if instance._cron("import_orders").active else
                                  _("The scheduled actions are switched off: switch them on (Scheduled Actions tab) "
                                    "once the checklist on the store is done."))
            instance._log(message, operation=CONFIRM_STORE)
            messages.append(message)
        return self.env["marketplace.queue.job"]._notification(
            _("Store confirmed") if drafts else _("Store data updated"), " ".join(messages))

    def action_reset_to_draft(self):
        self._crons().write({"active": False})
        self.state = "draft"
        return True

    def action_open_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("base_marketplace.marketplace_log_action")
        action["domain"] = [("instance_id", "=", self.marketplace_instance_id.id)]
        return action

    def action_open_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("base_marketplace.marketplace_queue_job_action")
        action["domain"] = [("instance_id", "=", self.marketplace_instance_id.id)]
        return action

    # ------------------------------------------------------------ reference data
    def _import_reference(self, kind):
        """Import one kind of store data (order statuses, channels...): see REFERENCE_KINDS."""
        self.ensure_one()
        reference = REFERENCE_KINDS[kind]
        with self._bigcommerce_client() as client:
            rows = list(reference.list_rows(client))
        records = self.env[reference.model]._sync_from_bigcommerce(self, reference.vals(rows))
        self._log(_("%(kind)s imported: %(count)s.", kind=str(reference.label), count=len(records)),
                  operation=f"import_{kind}")
        return records

    # ------------------------------------------------------------ scheduled actions
    def _ensure_scheduled_actions(self):
        # Switched on before products, workflows or a pricelist exist, they would fail at once.
        for instance in self:
            self.env["bc.scheduled.action"]._create_for(
                instance, active_keys=("import_orders",) if instance.start_import_now else ())

    def _cron_update_order_status(self):
        """Safety net: queue the shipments of done deliveries that never reached the queue."""
        for instance in self._syncing_instances():
            pickings = self.env["stock.picking"].search([
                ("sale_id.bigcommerce_instance_id", "=", instance.id), ("state", "=", "done"),
                ("picking_type_code", "=", "outgoing"), ("bigcommerce_shipped_in_store", "=", False),
                ("bigcommerce_shipment_ids", "=", False), ("return_id", "=", False)])
            queued = self.env["marketplace.queue.line"].search([
                ("instance_id", "=", instance.marketplace_instance_id.id), ("operation", "=", EXPORT_SHIPMENT),
                ("external_id", "in", [str(picking_id) for picking_id in pickings.ids])])
            (pickings - pickings.browse(int(line.external_id) for line in queued))._bigcommerce_queue_shipments()

    def _cron_reconcile(self):
        for instance in self._syncing_instances():
            self.env["bc.reconciliation"]._run_scheduled(instance)

    def action_reconcile(self):
        """Reconcile: the dialog asking for the date range."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "bc.reconciliation", "view_mode": "form",
                "views": [[False, "form"]], "target": "new", "name": _("Reconcile with BigCommerce"),
                "context": {"default_instance_id": self.id}}

    def action_open_reconciliations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("bigcommerce_connector.bc_reconciliation_action")
        action["domain"] = [("instance_id", "=", self.id), ("state", "=", "done")]
        return action

    def _syncing_instances(self):
        """The stores scheduled actions work for: confirmed and not archived."""
        return self.filtered(lambda instance: instance.active and instance.state == "confirmed")
