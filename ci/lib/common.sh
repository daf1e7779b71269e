# Shared by the ci/ scripts: where state lives, how to run as the database user.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Per-user state (pids, ports, env files) outside the work tree, so a clean clone stays clean.
STATE="${ANON_E2E_STATE:-${TMPDIR:-/tmp}/anon-e2e-$(id -u)}"
mkdir -p "$STATE"

say() { printf '[anon-e2e] %s\n' "$*" >&2; }
die() { printf '[anon-e2e] error: %s\n' "$*" >&2; exit 1; }

# `swift build` with these arguments, unless the packages are built already: ci/test
# builds both once and sets ANON_E2E_BUILT. Under a changed environment (each run,
# profile and fault has its own) every call evaluates all manifests again and can
# recompile dependencies, 10 to 30 s each, so the scripts it calls build nothing.
# A release build is never skipped: ci/test builds debug only.
swift_build() {
  if [ -n "${ANON_E2E_BUILT:-}" ] && [[ " $* " != *" release "* ]]; then return 0; fi
  swift build "$@"
}

# The configuration ci/bench's parts build and run in: release, or debug under
# BENCH_QUICK=1 (`ci/bench --quick`, which reuses ci/test's debug build).
bench_configuration() { if [ "${BENCH_QUICK:-0}" = 1 ]; then echo debug; else echo release; fi; }

# Builds these products of the main package in that configuration; prints its bin path.
bench_build() {
  local configuration log="$STATE/build-bench.log" product
  configuration=$(bench_configuration)
  for product in "$@"; do
    if [ "$configuration" = release ]; then swift build -c release --product "$product" >>"$log" 2>&1
    else swift_build --product "$product" >>"$log" 2>&1; fi \
      || { tail -20 "$log" >&2; die "the $configuration build of $product failed (see $log)"; }
  done
  swift build -c "$configuration" --show-bin-path
}

# Builds a package, one `swift build` per argument list given (default
# --build-tests); a warning in this project's own sources fails the run.
build_package() {
  local dir="$1" log="$STATE/build-$(basename "$1").log" args
  shift
  say "building $(basename "$dir") (warnings in this project's sources fail the run)"
  : >"$log"
  for args in "${@:---build-tests}"; do
    # shellcheck disable=SC2086
    (cd "$dir" && swift build $args >>"$log" 2>&1) || { grep -E "error" "$log" | head -40 >&2; die "build of $dir failed (see $log)"; }
  done
  if grep -E "^$dir/(Sources|Tests)/.*: warning:" "$log" | sort -u | grep .; then die "the build of $dir has warnings"; fi
}

# Both packages with their tests, once: the scripts run after it build nothing
# more (ANON_E2E_BUILT, see swift_build). LocalStaging by product: `--build-tests`
# would also build every executable of Hummingbird's and NIO's packages
# (examples, benchmarks), three minutes of a cold build.
build_packages() {
  build_package "$ROOT"
  build_package "$ROOT/LocalStaging" "--product local-staging" "--product LocalStagingPackageTests"
  export ANON_E2E_BUILT=1
}

# A free TCP port on loopback: below the kernel's ephemeral range (outgoing
# connections take their local ports there, so a port that looks free can be
# taken a moment later), tested by binding it (a connect test misses bound ports
# that do not listen), and claimed for ten minutes so that scripts running at
# once (ci/prove runs five stacks) never get the same one.
free_port() {
  local low port claims="$STATE/ports"
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 12000 ] 2>/dev/null || low=60000
  mkdir -p "$claims"
  find "$claims" -type f -mmin +10 -delete 2>/dev/null || true
  for _ in $(seq 1 100); do
    port=$(( 10000 + RANDOM % (low - 10000) ))
    (set -o noclobber; : >"$claims/$port") 2>/dev/null || continue
    if python3 -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
  die "no free loopback port found"
}

# Exports every variable of an env file (KEY=value lines, or a process
# substitution such as <(ci/local-stack env)) into the calling shell.
load_env() {
  set -a
  # shellcheck disable=SC1090
  source "$1"
  set +a
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

# The libpq tests' throwaway database (PostgreSQL up): loads the probe fixture and
# exports ANON_E2E_PROBE_DB, the read-only connection string those tests use.
probe_database() {
  local reader_password port
  reader_password=$(random_secret 16)
  "$ROOT/ci/postgres" psql -v reader_password="$reader_password" -f "$ROOT/Tests/Fixtures/sql/probe.sql" >"$STATE/probe.log" 2>&1 \
    || { cat "$STATE/probe.log" >&2; die "loading Tests/Fixtures/sql/probe.sql failed"; }
  port=$("$ROOT/ci/postgres" port)
  export ANON_E2E_PROBE_DB="postgresql://anon_probe_reader:$reader_password@127.0.0.1:$port/anon_e2e_probe"
}

# The PyPI tools the scripts use, a virtualenv each, pinned: name → requirements.
declare -A PYTHON_TOOLS=(
  [tools]="check-jsonschema==0.39.0"
  [interop]="supabase==2.34.1 pyjwt[crypto]==2.15.1 httpx-sse==0.4.3 python-socketio[client]==5.18.1"
  [locust]="locust==2.47.0"
  [bench]="httpx==0.28.1 httpx-sse==0.4.3"
)

# The virtualenv $STATE/<name>-venv holding exactly PYTHON_TOOLS[name] (made again when
# they change); prints its directory: VENV=$(python_venv locust).
python_venv() {
  local venv="$STATE/$1-venv" requirements
  [ -n "${PYTHON_TOOLS[$1]:-}" ] || die "no Python tool set named $1"
  read -ra requirements <<<"${PYTHON_TOOLS[$1]}"
  if [ "$(cat "$venv/requirements" 2>/dev/null)" != "${PYTHON_TOOLS[$1]}" ]; then
    say "installing ${PYTHON_TOOLS[$1]} into $venv"
    rm -rf "$venv" && python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check "${requirements[@]}" >&2
    echo "${PYTHON_TOOLS[$1]}" >"$venv/requirements"
  fi
  echo "$venv"
}
