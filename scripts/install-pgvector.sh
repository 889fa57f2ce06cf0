#!/usr/bin/env bash
# Makes the pgvector extension available to the local PostgreSQL (Debian, default major 15).
#
# Debian bookworm ships no pgvector binary for PostgreSQL 15, but Debian trixie ships its source, which
# builds against bookworm's server headers in a few seconds. Idempotent: when `CREATE EXTENSION vector`
# already works it only says so. Run as root (apt-get and `make install` write system directories).
#
# The trixie deb-src entry uses the Debian mirror this system is already configured with (from
# /etc/apt/sources.list and /etc/apt/sources.list.d/*.list / *.sources), so it works behind a company
# mirror or proxy; PGVECTOR_DEBIAN_MIRROR overrides it.
#
#   sudo scripts/install-pgvector.sh            # PG_MAJOR=15, checks in database "test"
#   PG_MAJOR=16 PGVECTOR_CHECK_DB=postgres scripts/install-pgvector.sh
#   source scripts/install-pgvector.sh; debian_mirror bookworm /etc/apt/sources.list   # functions only
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
CHECK_DB="${PGVECTOR_CHECK_DB:-test}"
PGHOST_ADDR="${PGVECTOR_PGHOST:-127.0.0.1}"
PGPORT_NUM="${PGVECTOR_PGPORT:-5432}"
APT_DIR="${PGVECTOR_APT_DIR:-/etc/apt}"
SRC_LIST="${APT_DIR}/sources.list.d/pgvector-trixie-src.sources"
DEFAULT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

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

# The first Debian archive mirror in the given apt source files, as "URI<TAB>keyring" (keyring empty
# when the entry names none or embeds its key). An archive entry is a deb/deb-src entry with an
# http(s) URI, component main and a suite of this release (CODENAME, CODENAME-updates,
# CODENAME-backports) or stable/testing/unstable/sid; security archives and third-party repositories
# (their suites are not Debian's) are passed over. Reads deb822 (.sources) and one-line (.list)
# formats; prints nothing when no file has one.
debian_mirror() {
  local codename="$1"
  shift
  local file found
  for file in "$@"; do
    [ -r "$file" ] || continue
    case "$file" in
      *.sources) found="$(awk -v codename="$codename" "$DEB822_AWK" "$file")" ;;
      *) found="$(awk -v codename="$codename" "$ONE_LINE_AWK" "$file")" ;;
    esac
    if [ -n "$found" ]; then
      printf '%s\n' "$found"
      return 0
    fi
  done
  return 0
}

# Shared by both parsers: is this suite one of the release's own archive suites?
SUITE_AWK='
function debian_suite(s) {
  if (s ~ /-security$/) return 0
  if (s == "stable" || s == "testing" || s == "unstable" || s == "sid") return 1
  if (codename == "") return s ~ /^[a-z]+(-updates|-backports)?$/
  return s == codename || s == codename "-updates" || s == codename "-backports"
}
function has_word(list, word,   n, i, w) {
  n = split(list, w, /[ \t]+/)
  for (i = 1; i <= n; i++) if (w[i] == word) return 1
  return 0
}
'

DEB822_AWK="$SUITE_AWK"'
function reset() { types = ""; uris = ""; suites = ""; components = ""; enabled = "yes"; keyring = ""; field = "" }
function flush(   n, i, s, ok, u) {
  if ((has_word(types, "deb") || has_word(types, "deb-src")) && tolower(enabled) != "no" && has_word(components, "main")) {
    n = split(suites, s, /[ \t]+/)
    ok = 0
    for (i = 1; i <= n; i++) if (s[i] != "" && debian_suite(s[i])) ok = 1
    if (ok) {
      n = split(uris, u, /[ \t]+/)
      for (i = 1; i <= n; i++) if (u[i] ~ /^https?:\/\//) { print u[i] "\t" keyring; done = 1; exit }
    }
  }
  reset()
}
BEGIN { reset() }
/^[ \t]*#/ { next }
/^[ \t]*$/ { flush(); next }
/^[ \t]/ { next }   # continuation of a multi-line field (an embedded key): nothing we read
{
  field = tolower($0); sub(/:.*/, "", field)
  value = $0; sub(/^[^:]*:[ \t]*/, "", value); sub(/[ \t]+$/, "", value)
  if (field == "types") types = value
  else if (field == "uris") uris = value
  else if (field == "suites") suites = value
  else if (field == "components") components = value
  else if (field == "enabled") enabled = value
  else if (field == "signed-by") keyring = (value ~ /^\//) ? value : ""
}
END { if (!done) flush() }   # `exit` runs END too: print one entry only
'

ONE_LINE_AWK="$SUITE_AWK"'
{
  sub(/#.*/, "")
  if ($1 != "deb" && $1 != "deb-src") next
  i = 2; keyring = ""
  if ($i ~ /^\[/) {
    for (; i <= NF; i++) {
      if ($i ~ /^\[?signed-by=/) { k = $i; sub(/^\[?signed-by=/, "", k); sub(/\]$/, "", k); keyring = k }
      if ($i ~ /\]$/) { i++; break }
    }
  }
  uri = $i; suite = $(i + 1)
  comps = ""
  for (j = i + 2; j <= NF; j++) comps = comps " " $j
  if (uri ~ /^https?:\/\// && debian_suite(suite) && has_word(comps, "main")) { print uri "\t" keyring; exit }
}
'

# The system's own source files, in apt's order, without the entry this script writes.
system_source_files() {
  local f
  [ -f "$APT_DIR/sources.list" ] && printf '%s\n' "$APT_DIR/sources.list"
  for f in "$APT_DIR"/sources.list.d/*.list "$APT_DIR"/sources.list.d/*.sources; do
    [ -f "$f" ] && [ "$f" != "$SRC_LIST" ] && printf '%s\n' "$f"
  done
  return 0
}

release_codename() {
  local codename="${PGVECTOR_RELEASE_CODENAME:-}"
  if [ -z "$codename" ] && [ -r /etc/os-release ]; then codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"; fi
  printf '%s' "$codename"
}

# The deb-src stanza for trixie on MIRROR, signed by KEYRING (Debian's keyring when empty).
trixie_src_stanza() {
  local mirror="$1" keyring="${2:-$DEFAULT_KEYRING}"
  # Source only: no trixie binaries can be pulled into this bookworm system by accident.
  printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' "$mirror" "$keyring"
}

add_trixie_sources() {
  local found mirror keyring wanted
  if [ -n "${PGVECTOR_DEBIAN_MIRROR:-}" ]; then
    mirror="$PGVECTOR_DEBIAN_MIRROR"
    keyring=""
  else
    local files=()
    mapfile -t files < <(system_source_files)
    found="$(debian_mirror "$(release_codename)" "${files[@]}")"
    if [ -z "$found" ]; then
      say "no Debian archive entry in ${APT_DIR}/sources.list or ${APT_DIR}/sources.list.d; set PGVECTOR_DEBIAN_MIRROR=http://<mirror>/debian" >&2
      exit 1
    fi
    mirror="${found%%$'\t'*}"
    keyring="${found#*$'\t'}"
  fi
  wanted="$(trixie_src_stanza "$mirror" "$keyring")"
  # Rewritten only when it would change, so a second run (or a run after `apt-get update`) is a no-op.
  if [ -f "$SRC_LIST" ] && [ "$(cat "$SRC_LIST")" = "$wanted" ]; then return 0; fi
  say "adding a deb-src entry for Debian trixie from ${mirror} ($SRC_LIST)"
  printf '%s\n' "$wanted" >"$SRC_LIST"
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
  # No RETURN trap: it would stay set after this function and fire again, with $work unset, when
  # main returns (set -u turns that into a failure of the whole script).
  local status=0
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
  ) || status=$?
  rm -rf "$work"
  return "$status"
}

main() {
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
}

# Sourced (by the tests, or to reuse debian_mirror), only the functions are defined.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
