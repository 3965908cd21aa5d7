{
    "name": "BigCommerce Connector",
    "version": "18.0.1.0.0",
    "summary": "Import BigCommerce orders, customers and catalog; sync stock, prices, shipments and refunds",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "depends": ["base_marketplace", "sale_stock", "account"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/bigcommerce_security.xml",
        "wizard/marketplace_operation_wizard_views.xml",
        "views/bc_instance_views.xml",
        "views/bc_financial_workflow_views.xml",
        "views/sale_order_views.xml",
        "views/bigcommerce_menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["bigcommerce_connector/static/tests/tours/*.js"],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": True,
}
