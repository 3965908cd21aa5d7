#!/usr/bin/env bash
# The one test command (README, .ci/run, GitHub Actions):
#   1. the pure tier: tests/ with pytest, no Odoo;
#   2. the Odoo tier: both addons installed into a fresh PostgreSQL database and
#      their tests run, whenever Odoo 18 is importable by this python3.
# Exits non-zero on any failed test, test error, install error, lint error (ruff,
# pylint-odoo), or ERROR/WARNING line in the Odoo server log.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
ADDONS="base_marketplace,bigcommerce_connector"
status=0
pure_passed=0; pure_failed=0; odoo_passed=0; odoo_failed=0

echo "== installing test requirements"
"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements.txt \
  || { echo "pip could not install requirements.txt"; exit 1; }

echo "== pure tier (no Odoo)"
pure_log="$(mktemp)"
"$PYTHON" -m pytest tests -q -p no:cacheprovider 2>&1 | tee "$pure_log"
pure_rc=${PIPESTATUS[0]}
summary="$(tail -n 1 "$pure_log")"
pure_passed=$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || echo 0)
pure_failed=$(( $(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' || echo 0) + $(grep -oE '[0-9]+ errors?' <<<"$summary" | grep -oE '[0-9]+' || echo 0) ))
if [ "$pure_rc" -ne 0 ]; then
  echo "PURE TIER FAILED (pytest exit $pure_rc)"; status=1
fi
rm -f "$pure_log"

echo "== lint (ruff: ruff.toml; pylint-odoo: .pylintrc)"
if ! "$PYTHON" -m ruff check --quiet .; then echo "LINT FAILED (ruff)"; status=1; fi
if ! "$PYTHON" -m pylint --rcfile=.pylintrc base_marketplace bigcommerce_connector; then
  echo "LINT FAILED (pylint-odoo)"; status=1
fi

if ! "$PYTHON" -c 'import odoo, sys; sys.exit(0 if odoo.release.version_info[0] == 18 else 1)' 2>/dev/null; then
  echo
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!!! ODOO TIER SKIPPED: Odoo 18 is not importable by $PYTHON. Models, views, security,"
  echo "!!! crons, wizards and the webhook controller were NOT tested. See README, 'Running tests'."
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
else
  echo "== Odoo tier"
  "$ROOT/tools/ensure_postgresql.sh" || { echo "PostgreSQL is not available"; exit 1; }
  if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
      && ! command -v google-chrome >/dev/null 2>&1 && ! command -v google-chrome-stable >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests (tours)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || { echo "could not install chromium: the browser tests cannot run"; exit 1; }
  fi
  db="bc_test_$(date +%s)_$$"
  odoo_root="$("$PYTHON" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')"
  addons_path="$ROOT"
  [ -d "$odoo_root/addons" ] && addons_path="$odoo_root/addons,$addons_path"
  [ -d "$odoo_root/odoo/addons" ] && addons_path="$odoo_root/odoo/addons,$addons_path"
  http_port="$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  odoo_log="$ROOT/.odoo-test/odoo-$db.log"
  mkdir -p "$ROOT/.odoo-test"
  createdb "$db" || { echo "could not create database $db"; exit 1; }
  echo "database $db, log $odoo_log"
  "$PYTHON" -m odoo --database="$db" --addons-path="$addons_path" --db-filter="^$db\$" \
    --init="$ADDONS" --test-enable --test-tags="/base_marketplace,/bigcommerce_connector" \
    --without-demo=all --stop-after-init --http-interface=127.0.0.1 --http-port="$http_port" \
    --max-cron-threads=0 --logfile="$odoo_log" --log-level=info
  odoo_rc=$?
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  grep -E ' (ERROR|CRITICAL|WARNING) ' "$odoo_log" > "$odoo_log.problems" || true
  grep -E 'odoo\.tests\.(stats|result)|Ran [0-9]+ test|FAIL:|ERROR:' "$odoo_log" | tail -n 40
  result_line="$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$odoo_log" | tail -n 1)"
  if [ -n "$result_line" ]; then
    read -r failed errors total < <(grep -oE '[0-9]+' <<<"$result_line" | tr '\n' ' ')
    odoo_failed=$((failed + errors)); odoo_passed=$((total - failed - errors))
  fi
  if [ -s "$odoo_log.problems" ]; then
    echo "ODOO TIER FAILED: the server log has ERROR/WARNING lines:"; head -n 60 "$odoo_log.problems"; status=1
  fi
  if [ "$odoo_rc" -ne 0 ]; then echo "ODOO TIER FAILED (odoo exit $odoo_rc)"; status=1; fi
  if [ -z "$result_line" ] || [ "${total:-0}" -eq 0 ]; then echo "ODOO TIER FAILED: no Odoo test ran"; status=1; fi
  [ "$status" -eq 0 ] && rm -f "$odoo_log" "$odoo_log.problems"
fi

echo
echo "pure tier: $pure_passed passed, $pure_failed failed"
echo "total: $((pure_passed + odoo_passed)) passed, $((pure_failed + odoo_failed)) failed"
exit $status
