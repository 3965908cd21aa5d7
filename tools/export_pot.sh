#!/usr/bin/env bash
# Write i18n/<addon>.pot for both addons with Odoo's own export, from a scratch database.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
"$ROOT/tools/ensure_postgresql.sh" >/dev/null
odoo_root="$("$PYTHON" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')"
addons_path="$odoo_root/odoo/addons,$odoo_root/addons,$ROOT"
db="bc_pot_$$"
createdb "$db"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
"$PYTHON" -m odoo -d "$db" --addons-path="$addons_path" -i base_marketplace,bigcommerce_connector \
  --without-demo=all --stop-after-init --log-level=warn
for addon in base_marketplace bigcommerce_connector; do
  mkdir -p "$ROOT/$addon/i18n"
  "$PYTHON" -m odoo -d "$db" --addons-path="$addons_path" --i18n-export="$ROOT/$addon/i18n/$addon.pot" \
    --modules="$addon" --stop-after-init --log-level=warn
  echo "wrote $addon/i18n/$addon.pot"
done
