#!/usr/bin/env bash
# A demo in one command, for a machine with Odoo 18 importable by python3 and no Docker:
# a fresh database with both addons, the sandbox store on 127.0.0.1, a confirmed store
# connected to it with its orders imported, then Odoo served on a local port.
#   bash tools/demo.sh [--db NAME] [--port 8069] [--sandbox-port 8765]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
db="bigcommerce_demo"; port=8069; sandbox_port=8765
while [ $# -gt 0 ]; do
  case "$1" in
    --db) db="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --sandbox-port) sandbox_port="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)"; exit 2 ;;
  esac
done
"$PYTHON" -c 'import odoo, sys; sys.exit(0 if odoo.release.version_info[0] == 18 else 1)' 2>/dev/null \
  || { echo "Odoo 18 is not importable by $PYTHON: see README, 'Making Odoo 18 importable'."; exit 1; }
"$ROOT/tools/ensure_postgresql.sh" >/dev/null
odoo_root="$("$PYTHON" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')"
addons_path="$odoo_root/odoo/addons,$odoo_root/addons,$ROOT"
sandbox_url="http://127.0.0.1:$sandbox_port"

(cd "$ROOT" && exec "$PYTHON" -m sandbox --port "$sandbox_port" --client-secret sandbox-secret) > "/tmp/$db-sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "$sandbox_url/__sandbox__/" >/dev/null && break; sleep 0.2; done

if ! psql -d "$db" -Atc 'select 1' >/dev/null 2>&1; then
  createdb "$db"
  echo "installing base_marketplace and bigcommerce_connector into $db (a minute or two)"
  "$PYTHON" -m odoo -d "$db" --addons-path="$addons_path" -i base_marketplace,bigcommerce_connector \
    --without-demo=all --stop-after-init --http-port="$port" --log-level=warn
fi
if ! DEMO_REPOSITORY="$ROOT" DEMO_SANDBOX_URL="$sandbox_url" "$PYTHON" -m odoo shell -d "$db" \
    --addons-path="$addons_path" --no-http --log-level=warn < "$ROOT/tools/demo_setup.py" > "/tmp/$db-setup.log" 2>&1 \
    || ! grep '^DEMO:' "/tmp/$db-setup.log"; then
  cat "/tmp/$db-setup.log"; echo "The demo store could not be set up (above: what went wrong)."; exit 1
fi

cat <<INFO

  Odoo:     http://127.0.0.1:$port   database $db, login admin, password admin
  Sandbox:  $sandbox_url   (store hash sandbox, access token sandbox-token)

  What to click:
    Sales › Orders: the imported BigCommerce orders (filter "From BigCommerce"); a Shipped order arrives
      delivered, a refunded one shows a banner, a Bank Deposit order waits for a workflow.
    Marketplaces › BigCommerce › Stores › Sandbox Outfitters: the store's tabs, Test Connection, Webhooks.
    Marketplaces › Queue: the jobs and lines of the import, and the logs.
    Marketplaces › BigCommerce › Operations: import orders by number or date range, export stock.
  Ctrl-C stops Odoo and the sandbox.

INFO
"$PYTHON" -m odoo -d "$db" --addons-path="$addons_path" --db-filter="^$db\$" --http-interface=127.0.0.1 \
  --http-port="$port" --max-cron-threads=1
