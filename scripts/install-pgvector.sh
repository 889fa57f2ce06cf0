#!/usr/bin/env bash
# Makes the pgvector extension available to the local PostgreSQL (Debian, default major 15).
#
# Debian bookworm ships no pgvector binary for PostgreSQL 15, but Debian trixie ships its source, which
# builds against bookworm's server headers in a few seconds. Idempotent: when `CREATE EXTENSION vector`
# already works it only says so. Run as root (apt-get and `make install` write system directories).
#
#   sudo scripts/install-pgvector.sh            # PG_MAJOR=15, checks in database "test"
#   PG_MAJOR=16 PGVECTOR_CHECK_DB=postgres scripts/install-pgvector.sh
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
CHECK_DB="${PGVECTOR_CHECK_DB:-test}"
PGHOST_ADDR="${PGVECTOR_PGHOST:-127.0.0.1}"
PGPORT_NUM="${PGVECTOR_PGPORT:-5432}"
SRC_LIST=/etc/apt/sources.list.d/pgvector-trixie-src.sources

say() { printf 'install-pgvector: %s\n' "$*"; }

psql_q() {
  # Superuser, because creating a C extension needs it; trust auth on loopback is assumed.
  psql -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U postgres -d "$CHECK_DB" -v ON_ERROR_STOP=1 -qAtc "$1"
}

start_postgres() {
  if pg_isready -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -q; then return 0; fi
  say "PostgreSQL is not accepting connections; starting cluster ${PG_MAJOR}/main"
  pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main start || true
  for _ in $(seq 1 60); do
    if pg_isready -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -q; then return 0; fi
    sleep 0.5
  done
  say "PostgreSQL did not come up on ${PGHOST_ADDR}:${PGPORT_NUM}" >&2
  exit 1
}

vector_works() {
  psql_q 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null 2>&1
}

add_trixie_sources() {
  if [ -f "$SRC_LIST" ]; then return 0; fi
  say "adding a deb-src entry for Debian trixie ($SRC_LIST)"
  # Source only: no trixie binaries can be pulled into this bookworm system by accident.
  cat >"$SRC_LIST" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

build_and_install() {
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt/dpkg run (unattended upgrades, a parallel install) instead of failing.
  local lock=(-o DPkg::Lock::Timeout=600)
  apt-get "${lock[@]}" update -qq
  # dpkg-dev provides dpkg-source, which `apt-get source` needs to unpack.
  apt-get "${lock[@]}" install -y -qq "postgresql-server-dev-${PG_MAJOR}" dpkg-dev make gcc >/dev/null
  local work
  work="$(mktemp -d /tmp/pgvector-build.XXXXXX)"
  chmod 755 "$work" # so apt can fetch as its unprivileged _apt user
  trap 'rm -rf "$work"' RETURN
  (
    cd "$work"
    apt-get source -qq pgvector >/dev/null
    local dir
    dir="$(find . -maxdepth 1 -type d -name 'pgvector-0.8*' | head -n1)"
    if [ -z "$dir" ]; then
      say "apt-get source pgvector did not yield a 0.8.x tree: $(ls)" >&2
      exit 1
    fi
    say "building ${dir#./} against $("$PG_CONFIG" --version)"
    cd "$dir"
    # OPTFLAGS empty: no -march=native, so the library runs on any x86-64 host this image moves to.
    make -s PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
    make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
  )
}

start_postgres
if vector_works; then
  say "pgvector is available ($(psql_q "SELECT extversion FROM pg_extension WHERE extname = 'vector'"))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  say "CREATE EXTENSION vector failed and building it needs root; re-run with sudo" >&2
  exit 1
fi
say "CREATE EXTENSION vector failed; building pgvector from Debian's source package"
add_trixie_sources
build_and_install
if vector_works; then
  say "pgvector installed ($(psql_q "SELECT extversion FROM pg_extension WHERE extname = 'vector'"))"
else
  say "pgvector was built but CREATE EXTENSION vector still fails" >&2
  psql_q 'CREATE EXTENSION IF NOT EXISTS vector' >&2 || true
  exit 1
fi
