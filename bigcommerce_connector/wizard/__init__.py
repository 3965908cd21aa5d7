from . import marketplace_operation_wizard
from . import bc_order_cancel_wizard
from . import bc_credit_note_refund_wizard
from . import bc_listing_channel_wizard
