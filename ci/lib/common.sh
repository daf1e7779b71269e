# Shared by the ci/ scripts: where state lives, how to run as the database user.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Per-user state (pids, ports, env files) outside the work tree, so a clean clone stays clean.
STATE="${ANON_E2E_STATE:-${TMPDIR:-/tmp}/anon-e2e-$(id -u)}"
mkdir -p "$STATE"

say() { printf '[anon-e2e] %s\n' "$*" >&2; }
die() { printf '[anon-e2e] error: %s\n' "$*" >&2; exit 1; }

# A free TCP port on loopback.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  die "no free loopback port found"
}

# A random alphanumeric secret of $1 characters.
random_secret() { head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }

# PostgreSQL's initdb refuses root: as root, the cluster runs as the 'postgres' system user.
as_db_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || die "PostgreSQL server binaries not found: run ci/install-deps"
  echo "$dir"
}
