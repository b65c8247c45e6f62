#!/usr/bin/env bash
# The dev command's end-to-end check (run by .ci/run): start `./bin/tollgate dev` on free ports, run the curl
# line it prints exactly as printed, expect 200 and the demo upstream's answer, expect 401 without the key, then
# stop dev with SIGTERM and expect a clean stop. Any failure prints the dev log and exits non-zero.
#
#   bash scripts/dev-smoke.sh
#
# Database: found the way `dev` finds it (TOLLGATE_DB_URL if set, else PostgreSQL on 127.0.0.1:5432, else
# embedded), but a throw-away one (TOLLGATE_DEV_DATABASE=tollgate_smoke_...), so the check neither depends on nor
# changes a developer's tollgate_dev. It is dropped afterwards when it lives on the local server.
# DEV_SMOKE_TIMEOUT (seconds, default 600) bounds the wait for the curl line, a build included.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-dev-smoke.XXXXXX")
LOG="$WORK/dev.log"
DEV_PID=""
PASSED=0
TIMEOUT=${DEV_SMOKE_TIMEOUT:-600}

say() { echo "dev-smoke: $*"; }

stop_dev() {
  [[ -n "$DEV_PID" ]] || return 0
  local pid=$DEV_PID
  DEV_PID=""
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "dev did not stop within 30 s of SIGTERM; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 1
  fi
  local status=0
  wait "$pid" || status=$?
  # The JVM exits with 143 (128 + SIGTERM) after its shutdown hooks ran; both mean a clean stop.
  [[ $status -eq 0 || $status -eq 143 ]] || { say "dev exited with status $status after SIGTERM"; return 1; }
}

fail() {
  say "FAILED: $*"
  stop_dev || true
  echo "----- dev log ($LOG) -----"
  cat "$LOG" 2>/dev/null || true
  echo "----- end of dev log -----"
  echo "dev-smoke: $PASSED passed, 1 failed"
  exit 1
}

export TOLLGATE_DEV_DATABASE="tollgate_smoke_$$_${RANDOM}"
drop_database() {
  if grep -q "local PostgreSQL on 127.0.0.1:5432" "$LOG" 2>/dev/null && command -v psql >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=5 psql -q -h 127.0.0.1 -U "${TOLLGATE_DB_USER:-postgres}" -d postgres \
      -c "drop database if exists $TOLLGATE_DEV_DATABASE" >/dev/null 2>&1 || true
  fi
}

trap 'stop_dev || true; drop_database; rm -rf "$WORK"' EXIT
trap 'fail "interrupted"' INT TERM

USED=" "
port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ]] && return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    [[ "$USED" == *" $port "* ]] && continue
    port_in_use "$port" && continue
    USED+="$port "
    echo "$port"
    return 0
  done
  echo "no free port found" >&2
  return 1
}

export TOLLGATE_ADMIN_PORT TOLLGATE_GATEWAY_PORT TOLLGATE_MGMT_PORT TOLLGATE_DEMO_UPSTREAM_PORT
TOLLGATE_ADMIN_PORT=$(free_port)
TOLLGATE_GATEWAY_PORT=$(free_port)
TOLLGATE_MGMT_PORT=$(free_port)
TOLLGATE_DEMO_UPSTREAM_PORT=$(free_port)
say "starting ./bin/tollgate dev (admin $TOLLGATE_ADMIN_PORT, gateway $TOLLGATE_GATEWAY_PORT," \
    "mgmt $TOLLGATE_MGMT_PORT, demo upstream $TOLLGATE_DEMO_UPSTREAM_PORT, database $TOLLGATE_DEV_DATABASE)"

# Its own process group, so stopping it also stops a build it may have started.
setsid ./bin/tollgate dev </dev/null >"$LOG" 2>&1 &
DEV_PID=$!

deadline=$((SECONDS + TIMEOUT))
line=""
while [[ -z "$line" ]]; do
  line=$(grep -m1 -E "^[[:space:]]*curl .*X-API-Key" "$LOG" 2>/dev/null | sed -E 's/^[[:space:]]+//' || true)
  [[ -n "$line" ]] && break
  if ! kill -0 "$DEV_PID" 2>/dev/null; then
    status=0
    wait "$DEV_PID" || status=$?
    DEV_PID=""
    fail "dev exited with status $status before printing a curl line"
  fi
  (( SECONDS < deadline )) || fail "no curl line within $TIMEOUT s"
  sleep 0.5
done
say "dev printed: $line"
PASSED=$((PASSED + 1))

status=$(bash -c "$line --silent --show-error --max-time 10 --output '$WORK/body' --write-out '%{http_code}'") \
  || fail "the printed curl line failed to run"
[[ "$status" == 200 ]] || fail "the printed curl line answered $status: $(cat "$WORK/body")"
grep -q '"service":"demo"' "$WORK/body" || fail "the answer is not the demo upstream's: $(cat "$WORK/body")"
grep -q '"path":"/hello"' "$WORK/body" || fail "the gateway did not strip /demo: $(cat "$WORK/body")"
say "the printed curl line answered 200 from the demo upstream: $(cat "$WORK/body")"
PASSED=$((PASSED + 1))

url=${line##* }
status=$(curl --silent --max-time 10 --output /dev/null --write-out '%{http_code}' "$url") || true
[[ "$status" == 401 ]] || fail "$url without an API key answered $status, expected 401"
say "without the key the gateway answered 401"
PASSED=$((PASSED + 1))

# With the example Go and Rust services built, dev routes to them too and prints a curl line for each.
if [[ -x examples/services/bin/go-orders || -x examples/services/bin/rust-inventory ]]; then
  sleep 1  # the banner is printed at once; let it reach the log
  while read -r example; do
    status=$(bash -c "$example --silent --max-time 10 --output '$WORK/body' --write-out '%{http_code}'") || true
    [[ "$status" == 200 ]] || fail "example curl line '$example' answered $status: $(cat "$WORK/body")"
    say "example route answered 200: ${example##* }"
  done < <(grep -E "^[[:space:]]+curl .*X-API-Key.*/(orders|items)$" "$LOG" | sed -E 's/^[[:space:]]+//')
  PASSED=$((PASSED + 1))
fi

stop_dev || fail "dev did not stop cleanly"
grep -q '^Stopped\.' "$LOG" || fail "dev did not report a clean stop"
say "dev stopped cleanly on SIGTERM"
PASSED=$((PASSED + 1))

echo "dev-smoke: $PASSED passed, 0 failed"
