{
    "name": "BigCommerce Connector",
    "version": "18.0.1.1.0",
    "summary": "Import BigCommerce orders, customers and catalog; sync stock, prices, shipments and refunds",
    "category": "Sales/Sales",
    # The name this repository's commits are made under: it states no other author, no project
    # address (so no "website") and no GitHub logins (so no "maintainers").
    "author": "Seed 81451933 maintainers",
    "license": "LGPL-3",
    "depends": ["base_marketplace", "sale_stock", "stock_delivery", "stock_sms", "account"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/bigcommerce_security.xml",
        "security/ir.model.access.csv",
        "wizard/marketplace_operation_wizard_views.xml",
        "wizard/bc_order_cancel_wizard_views.xml",
        "wizard/bc_credit_note_refund_wizard_views.xml",
        "views/bc_instance_views.xml",
        "views/bc_financial_workflow_views.xml",
        "views/sale_order_views.xml",
        "views/account_move_views.xml",
        "views/marketplace_queue_line_views.xml",
        "views/bc_product_binding_views.xml",
        "views/res_partner_views.xml",
        "views/bigcommerce_menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["bigcommerce_connector/static/tests/tours/*.js"],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": True,
}
