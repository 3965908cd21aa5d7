"""The financial workflow of an imported order (the steps configured for its gateway and
payment status), its delivery split by shipping address, and the shipments BigCommerce made
applied to its deliveries."""
from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from ..bigcommerce.orders import delivery_groups
from ..bigcommerce.workflows import normalize_payment_status
from ..const import DELIVERED_STATUS_IDS, WORKFLOW_STEPS
from .bc_instance_order_values import new_record_action


def _joined(*sentences):
    """One log message of the sentences given (None for none)."""
    return " ".join(sentence for sentence in sentences if sentence)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _bigcommerce_run_workflow(self, bc_order, contacts=None, intro=None):
        """Run the steps of the workflow configured for the order's gateway and payment status,
        each logged. Without a workflow a quotation stays one, with a log line whose shortcut
        opens a pre-filled workflow form. ``contacts``: the delivery contacts by BigCommerce
        shipping address, when the import has just resolved them. ``intro``: the sentence the
        run's log row starts with (the import's, when it has just created the order)."""
        self.ensure_one()
        instance = self.bigcommerce_instance_id
        gateway = self.bigcommerce_gateway_id
        status = normalize_payment_status(bc_order.payment_status)
        workflow = self.env["bc.financial.workflow"]._resolve(instance, gateway, status)
        if not workflow:
            if self.state in ("draft", "sent"):
                self.bigcommerce_workflow_state = "waiting"
                instance._log(
                    _joined(intro, _("%(order)s stays a quotation: no financial workflow for gateway “%(gateway)s” and "
                                     "payment status “%(status)s”. Configure one, then click Run Workflow Again on "
                                     "the order.", order=self.name, gateway=gateway.name, status=status)),
                    level="warning", record=self, action_label=_("Configure Workflow"),
                    action_data=new_record_action(_("Configure Workflow"), "bc.financial.workflow", {
                        "default_instance_id": instance.id, "default_gateway_id": gateway.id,
                        "default_payment_status": status}))
            else:
                if intro:
                    instance._log(intro, record=self)
                self._bigcommerce_apply_shipments(bc_order)
            return
        done = []
        for step in WORKFLOW_STEPS:
            if not workflow[step]:
                continue
            label = workflow._fields[step].get_description(self.env)["string"]
            try:
                with self.env.cr.savepoint():
                    # Each step is the method named after it: WORKFLOW_STEPS is the one list of steps.
                    if getattr(self, f"_bigcommerce_step_{step}")(bc_order, workflow, contacts):
                        done.append(label)
            except UserError as error:
                message = _("%(order)s: workflow step “%(step)s” failed: %(error)s Fix it in Odoo, then click Run "
                            "Workflow Again on the order (or finish the order by hand).", order=self.name,
                            step=label, error=error.args[0])
                self.bigcommerce_workflow_state = "failed"
                self._message_log(body=message)
                instance._log(_joined(intro, message), level="error", record=self)
                return
        if done or intro:
            # One log row for the whole run: the steps done, in order.
            instance._log(_joined(intro, done and _("%(order)s: %(steps)s done (workflow %(workflow)s).",
                                                    order=self.name, steps=", ".join(done),
                                                    workflow=workflow.display_name)), record=self)
        self.bigcommerce_workflow_state = "done"
        if self.state == "sale" and not workflow.confirm_order:
            self._bigcommerce_apply_shipments(bc_order)

    def _bigcommerce_step_confirm_order(self, bc_order, workflow, contacts):
        confirmed = False
        if self.state in ("draft", "sent"):
            if self.bigcommerce_totals_mismatch:
                raise UserError(_("its totals differ from BigCommerce's (%(text)s), so it is not confirmed.",
                                  text=self.bigcommerce_totals_mismatch))
            self.action_confirm()
            self._bigcommerce_split_deliveries(bc_order, contacts)
            confirmed = True
        self._bigcommerce_apply_shipments(bc_order)
        return confirmed

    def _bigcommerce_step_validate_delivery(self, bc_order, workflow, contacts):
        pickings = self._bigcommerce_open_deliveries()
        for move in pickings.move_ids.filtered(lambda move: move.state not in ("done", "cancel")):
            move.quantity = move.product_uom_qty
            move.picked = True
        pickings._bigcommerce_validate(backorder=False)
        return bool(pickings)

    def _bigcommerce_step_create_invoice(self, bc_order, workflow, contacts):
        # A quantity lowered below what was invoiced is "to invoice" too, but only a credit note
        # gives it back, and those are not made by themselves (see _bigcommerce_apply_quantity_changes).
        if self.invoice_status != "to invoice" or not self._get_invoiceable_lines():
            return False
        self._create_invoices()
        return True

    def _bigcommerce_step_post_invoice(self, bc_order, workflow, contacts):
        drafts = self.invoice_ids.filtered(lambda move: move.state == "draft")
        drafts.action_post()
        return bool(drafts)

    def _bigcommerce_step_register_payment(self, bc_order, workflow, contacts):
        unpaid = self.invoice_ids.filtered(
            lambda move: move.state == "posted" and move.payment_state in ("not_paid", "partial"))
        if not unpaid:
            return False
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=unpaid.ids,
        ).create({"journal_id": workflow.journal_id.id})._create_payments()
        return True

    def _bigcommerce_open_deliveries(self):
        return self.picking_ids.filtered(
            lambda picking: picking.picking_type_code == "outgoing" and picking.state not in ("done", "cancel"))

    def _bigcommerce_split_deliveries(self, bc_order, contacts=None):
        """One delivery per BigCommerce shipping address, to that address's contact."""
        groups = delivery_groups(bc_order)
        if len(groups) < 2:
            return
        if contacts is None:
            contacts = self.env["res.partner"]._bigcommerce_partners(self.bigcommerce_instance_id, bc_order)[2]
        for picking in self._bigcommerce_open_deliveries():
            first = True
            for group in groups:
                moves = picking.move_ids.filtered(
                    lambda move, group=group: move.sale_line_id.bigcommerce_order_address_id == group.order_address_id)
                if not moves:
                    continue
                partner = contacts[group.order_address_id]
                if first:
                    picking.partner_id = partner
                    first = False
                    continue
                new_picking = picking.copy({"move_ids": [], "move_line_ids": [], "partner_id": partner.id})
                moves.write({"picking_id": new_picking.id, "partner_id": partner.id})
                moves.move_line_ids.write({"picking_id": new_picking.id})

    def _bigcommerce_apply_shipments(self, bc_order):
        """Deliver in Odoo what BigCommerce shipped and Odoo has not delivered yet; the rest
        stays in a backorder. Returns the validated deliveries."""
        everything = bc_order.status_id in DELIVERED_STATUS_IDS
        shipped = {bc_line.order_product_id: bc_line.quantity if everything else bc_line.quantity_shipped
                   for bc_line in bc_order.lines if bc_line.order_product_id}
        validated = self.env["stock.picking"]
        for picking in self._bigcommerce_open_deliveries():
            moves = picking.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))
            quantities = {}
            for move in moves:
                order_line = move.sale_line_id
                left = float(shipped.get(order_line.bigcommerce_order_product_id, 0)) - order_line.qty_delivered
                quantities[move] = min(max(left, 0.0), move.product_uom_qty)
            # Nothing shipped there that Odoo has not delivered: what the warehouse picked stays as it is.
            if all(float_is_zero(quantity, precision_rounding=move.product_uom.rounding)
                   for move, quantity in quantities.items()):
                continue
            for move, quantity in quantities.items():
                move.quantity = quantity
                move.picked = not float_is_zero(quantity, precision_rounding=move.product_uom.rounding)
            picking.with_context(bigcommerce_shipped_in_store=True)._bigcommerce_validate(backorder=True)
            validated |= picking
        if validated:
            self.bigcommerce_instance_id._log(
                _("%(order)s: delivered %(pickings)s as shipped in BigCommerce.", order=self.name,
                  pickings=", ".join(validated.mapped("name"))), record=self)
        return validated
