"""The connector's constants in one place: operation codes with their labels, webhook scopes,
the kinds of store data Confirm imports, and the financial workflow's steps. BigCommerce's own
facts (status ids, payment statuses) are defined by the pure core and re-exported here."""
from collections import namedtuple

from odoo.tools.translate import LazyTranslate

from .bigcommerce import store
from .bigcommerce.client import BigCommerceClient
from .bigcommerce.orders import (  # noqa: F401 - re-exported
    DELIVERED_STATUS_IDS, STATUS_AWAITING_FULFILLMENT, STATUS_AWAITING_PAYMENT, STATUS_CANCELLED, STATUS_COMPLETED,
    STATUS_PARTIALLY_REFUNDED, STATUS_REFUNDED, STATUS_SHIPPED,
)
from .bigcommerce.workflows import STEPS as WORKFLOW_STEPS  # noqa: F401 - re-exported

_lt = LazyTranslate(__name__)

# Queue operations (marketplace.queue.line.operation) and log operations.
IMPORT_ORDER = "bigcommerce_import_order"
LIST_ORDERS = "bigcommerce_list_orders"
IMPORT_CUSTOMER = "bigcommerce_import_customer"
LIST_CUSTOMERS = "bigcommerce_list_customers"
IMPORT_PRODUCT = "bigcommerce_import_product"
LIST_PRODUCTS = "bigcommerce_list_products"
IMPORT_REFERENCE = "bigcommerce_import_reference"
IMPORT_STOCK = "bigcommerce_import_stock"
EXPORT_STOCK = "bigcommerce_export_stock"
EXPORT_PRICES = "bigcommerce_export_prices"
EXPORT_SHIPMENT = "bigcommerce_export_shipment"
EXPORT_LISTING = "bigcommerce_export_listing"
UPDATE_LISTING = "bigcommerce_update_listing"
MANAGE_CHANNELS = "bigcommerce_manage_channels"
MARK_PAID = "bigcommerce_mark_paid"
API_CALL = "api_call"
CONFIRM_STORE = "confirm"
WEBHOOKS = "webhooks"

OPERATION_LABELS = {
    IMPORT_ORDER: _lt("Import Order"),
    LIST_ORDERS: _lt("List Orders"),
    IMPORT_CUSTOMER: _lt("Import Customer"),
    LIST_CUSTOMERS: _lt("List Customers"),
    IMPORT_PRODUCT: _lt("Import Product"),
    LIST_PRODUCTS: _lt("List Products"),
    IMPORT_REFERENCE: _lt("Import Store Data"),
    IMPORT_STOCK: _lt("Import Stock"),
    EXPORT_STOCK: _lt("Export Stock"),
    EXPORT_PRICES: _lt("Export Prices"),
    EXPORT_SHIPMENT: _lt("Export Shipment"),
    EXPORT_LISTING: _lt("Export Listing"),
    UPDATE_LISTING: _lt("Update Listing"),
    MANAGE_CHANNELS: _lt("Manage Sales Channels"),
    MARK_PAID: _lt("Mark as Paid"),
    API_CALL: _lt("BigCommerce API Call"),
    CONFIRM_STORE: _lt("Confirm Store"),
    WEBHOOKS: _lt("Webhooks"),
}

# A refund made in BigCommerce brings its order back to the queue, which records the refund.
ORDER_WEBHOOK_SCOPES = ("store/order/created", "store/order/updated", "store/order/statusUpdated",
                        "store/order/refund/created")
# A customer's account or one of its addresses changed: the customer is imported again.
CUSTOMER_WEBHOOK_SCOPES = ("store/customer/created", "store/customer/updated", "store/customer/address/*")
# A product created or changed is imported again; a deleted one is only logged (its line finds
# nothing). Not ``store/product/*``: it would bring every stock change of the product too.
PRODUCT_WEBHOOK_SCOPES = ("store/product/created", "store/product/updated", "store/product/deleted")
WEBHOOK_SCOPES = ORDER_WEBHOOK_SCOPES + CUSTOMER_WEBHOOK_SCOPES + PRODUCT_WEBHOOK_SCOPES

# Each kind of store data Confirm imports: the client call listing it, the model of its Odoo
# records, the values each row becomes, and what the log calls it.
ReferenceKind = namedtuple("ReferenceKind", "list_rows model vals label")
REFERENCE_KINDS = {
    "order_statuses": ReferenceKind(BigCommerceClient.iter_order_statuses, "bc.order.status", store.order_status_vals,
                                    _lt("Order Statuses")),
    "channels": ReferenceKind(BigCommerceClient.iter_channels, "bc.channel", store.channel_vals, _lt("Channels")),
    "locations": ReferenceKind(BigCommerceClient.iter_locations, "bc.location", store.location_vals, _lt("Locations")),
    "tax_classes": ReferenceKind(BigCommerceClient.iter_tax_classes, "bc.tax.class", store.named_vals,
                                 _lt("Tax Classes")),
    "categories": ReferenceKind(BigCommerceClient.iter_categories, "bc.category", store.category_vals,
                                _lt("Categories")),
    "brands": ReferenceKind(BigCommerceClient.iter_brands, "bc.brand", store.named_vals, _lt("Brands")),
    "currencies": ReferenceKind(BigCommerceClient.iter_currencies, "bc.currency", store.currency_vals,
                                _lt("Currencies")),
}
