{
    "name": "Marketplace Connector Base",
    "version": "18.0.1.0.0",
    "summary": "Queue jobs, logs, retries and operations for marketplace connectors",
    "category": "Sales/Sales",
    # The name this repository's commits are made under: it states no other author, no project
    # address (so no "website") and no GitHub logins (so no "maintainers").
    "author": "Seed 81451933 maintainers",
    "license": "LGPL-3",
    "depends": ["base", "mail"],
    "data": [
        "security/marketplace_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "wizard/marketplace_operation_wizard_views.xml",
        "views/marketplace_instance_views.xml",
        "views/marketplace_queue_job_views.xml",
        "views/marketplace_queue_line_views.xml",
        "views/marketplace_log_views.xml",
        "views/marketplace_menus.xml",
    ],
    "installable": True,
    "application": False,
}
