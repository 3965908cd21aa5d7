"""Financial workflow rule: what Odoo does with an imported order, per payment gateway and
payment status.

The merchant configures workflows as (gateway, payment status, steps). An order whose
(gateway, status) has no workflow stays a quotation: the Odoo side then logs a shortcut to
configure one, pre-filled from ``default_steps_for``. A workflow with an empty gateway
applies to every gateway that has no workflow of its own for that status.
"""
import re
from dataclasses import dataclass, fields

from .i18n import _lt

# (code, label) for an Odoo selection; codes are BigCommerce's values with '_' for spaces,
# and BigCommerce's '' (no payment recorded, e.g. API-created orders) is 'none'. The labels
# are translated as the selection's (Odoo exports a selection field's labels itself).
PAYMENT_STATUSES = (
    ("none", "No payment"),
    ("pending", "Pending"),
    ("authorized", "Authorized"),
    ("capture_pending", "Capture pending"),
    ("captured", "Captured"),
    ("paid", "Paid"),
    ("held_for_review", "Held for review"),
    ("declined", "Declined"),
    ("void_pending", "Void pending"),
    ("void", "Void"),
    ("partially_refunded", "Partially refunded"),
    ("refunded", "Refunded"),
)


def _slug(value):
    return re.sub(r"[^0-9a-z]+", "_", str(value or "").casefold()).strip("_")


def normalize_payment_status(value):
    """BigCommerce's ``payment_status`` ('capture pending', '') as a code ('capture_pending',
    'none'). BigCommerce's enums are open (API-NOTES 18), so an unknown value comes back
    slugged rather than refused: it then matches no workflow and the order waits.
    """
    return _slug(value) or "none"


def gateway_code(name_or_gateway):
    """A stable code for a gateway or payment method: 'stripe', 'Cash on Delivery' ->
    'cash_on_delivery'. '' when there is none."""
    return _slug(name_or_gateway)


class StepOrderError(ValueError):
    """A step is on without the step it acts on. ``step`` and ``needed`` are the names of the
    two steps (WorkflowSteps fields), so that the Odoo side can show their labels."""

    def __init__(self, step, needed):
        super().__init__(_lt("%(step)s needs %(needed)s", step=step.replace("_", " "),
                             needed=needed.replace("_", " ")))
        self.step, self.needed = step, needed


@dataclass(frozen=True)
class WorkflowSteps:
    confirm_order: bool = False
    validate_delivery: bool = False
    create_invoice: bool = False
    post_invoice: bool = False
    register_payment: bool = False
    journal_key: str = ""  # which payment journal the Odoo side uses for register_payment

    def __post_init__(self):
        # Each step acts on what the previous one produced.
        requirements = (("validate_delivery", "confirm_order"), ("create_invoice", "confirm_order"),
                        ("post_invoice", "create_invoice"), ("register_payment", "post_invoice"))
        for step, needed in requirements:
            if getattr(self, step) and not getattr(self, needed):
                raise StepOrderError(step, needed)


# The steps, in the order they run: the one definition the workflow model's fields and the
# sale order's step methods follow.
STEPS = tuple(field.name for field in fields(WorkflowSteps) if field.type in (bool, "bool"))


def resolve_workflow(gateway, payment_status, workflows):
    """The steps of the workflow for this gateway and payment status, or None (the order
    stays a quotation). ``workflows``: (gateway, payment_status, WorkflowSteps) triples, in
    any spelling BigCommerce or the merchant uses; an exact gateway beats an empty one.
    """
    gateway, status = gateway_code(gateway), normalize_payment_status(payment_status)
    fallback = None
    for rule_gateway, rule_status, steps in workflows:
        if normalize_payment_status(rule_status) != status:
            continue
        rule_gateway = gateway_code(rule_gateway)
        if rule_gateway == gateway:
            return steps
        if not rule_gateway and fallback is None:
            fallback = steps
    return fallback


_PAID = WorkflowSteps(confirm_order=True, create_invoice=True, post_invoice=True,
                      register_payment=True)
_DEFAULTS = {
    "captured": _PAID,
    "paid": _PAID,
    # The money was taken; the refund itself becomes a credit note later.
    "partially_refunded": _PAID,
    # Money is promised but not taken: commit the goods, invoice once captured.
    "authorized": WorkflowSteps(confirm_order=True),
    "capture_pending": WorkflowSteps(confirm_order=True),
}


def default_steps_for(payment_status):
    """Suggested steps for a new workflow form. Deliveries are never validated by default:
    they follow BigCommerce shipments. Anything unpaid or undone suggests no step."""
    return _DEFAULTS.get(normalize_payment_status(payment_status), WorkflowSteps())
