#!/usr/bin/env bash
# Make sure a PostgreSQL server answers and the current user may create databases:
# install Debian's postgresql when missing, start it when stopped.
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v pg_isready >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "installing Debian's postgresql"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >/dev/null
fi
if ! pg_isready -q; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    read -r version cluster _ < <(pg_lsclusters --no-header | head -n 1)
    $SUDO pg_ctlcluster "$version" "$cluster" start
  else
    $SUDO service postgresql start
  fi
  for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
fi
user="$(id -un)"
if ! psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  if [ -z "$SUDO" ]; then
    su postgres -c "psql -q -c \"CREATE ROLE \\\"$user\\\" SUPERUSER LOGIN\"" >/dev/null
  else
    sudo -u postgres psql -q -c "CREATE ROLE \"$user\" SUPERUSER LOGIN" >/dev/null
  fi
fi
pg_isready
