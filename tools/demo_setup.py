"""Run by tools/demo.sh inside ``odoo shell``: a confirmed store connected to the sandbox,
the sandbox catalog as Odoo products, financial workflows, and the seed orders imported
through the queue as the scheduled action would. ``env`` and the sandbox's address come
from the shell and the environment."""
import os
import sys

sys.path.insert(0, os.environ["DEMO_REPOSITORY"])
from sandbox.seed import PRODUCTS  # noqa: E402 - needs the repository on sys.path

env = globals()["env"]
company = env.company
if not company.country_id:
    company.country_id = env.ref("base.us")
if not env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1):
    env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)

for product in PRODUCTS:
    for _variant_id, sku, option, price in product["variants"]:
        if not env["product.product"].search([("default_code", "=", sku)], limit=1):
            env["product.product"].create({
                "name": f"{product['name']} {option[2]}" if option else product["name"], "default_code": sku,
                "type": "consu", "is_storable": product["type"] == "physical", "invoice_policy": "order",
                "list_price": float(price or product["price"]),
            })

store = env["bc.instance"].search([("store_hash", "=", "sandbox")], limit=1) or env["bc.instance"].create({
    "name": "Sandbox Outfitters", "store_hash": "sandbox", "access_token": "sandbox-token",
    "client_secret": "sandbox-secret", "api_url": os.environ["DEMO_SANDBOX_URL"],
})
if store.state != "confirmed":
    store.action_confirm()
store.import_status_ids = store.order_status_ids
bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
Workflow = env["bc.financial.workflow"]
for status in ("captured", "paid"):
    if not Workflow.search([("instance_id", "=", store.id), ("gateway_id", "=", False), ("payment_status", "=", status)]):
        Workflow.create({"instance_id": store.id, "payment_status": status, "confirm_order": True,
                         "create_invoice": True, "post_invoice": True, "register_payment": True,
                         "journal_id": bank.id})
for status in ("authorized",):
    if not Workflow.search([("instance_id", "=", store.id), ("gateway_id", "=", False), ("payment_status", "=", status)]):
        Workflow.create({"instance_id": store.id, "payment_status": status, "confirm_order": True})

store._cron_import_orders()
Line = env["marketplace.queue.line"]
while Line._cron_process_queue():
    pass
env.cr.commit()
orders = env["sale.order"].search([("bigcommerce_instance_id", "=", store.id)])
failed = Line.search([("state", "=", "failed")])
print(f"DEMO: store {store.name} confirmed, {len(orders)} BigCommerce orders imported, {len(failed)} queue lines failed")
