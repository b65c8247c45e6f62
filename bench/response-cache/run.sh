#!/usr/bin/env bash
# Benchmark: a gateway node answering from its response cache vs forwarding every request, and how long a purge
# through the admin API takes to reach the node. Prints figures; a benchmark, not a test.
#
#   bench/response-cache/run.sh
#
# Starts examples' rust-inventory (the upstream), admin and one gateway node on a database of its own, then through
# the admin REST API: a tenant, a service, a route /plain (no cache) and a route /cached (cache on, 300 s), both
# auth none, prefix stripped, to the same upstream. Warms up, then runs wrk on GET /plain/items/1 and
# GET /cached/items/1 in alternating rounds and prints req/s, p50 and p99 of each, the upstream requests the gateway
# made (from the node's metrics), and the cache's bytes. Then BENCH_PURGES purges (POST .../cache/purge): for each,
# the time from the admin's 202 to the first X-Cache: MISS on the node (p50 / max).
# Everything stops and the database is dropped at exit (trap).
#
# Settings: BENCH_ROUNDS=3  BENCH_THREADS=1  BENCH_CONNECTIONS=32  BENCH_DURATION=10s  BENCH_WARMUP=15s
#           BENCH_PURGES=20  TOLLGATE_BENCH_KEEP=1
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/tollgate-bench-cache.XXXXXX)
# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-1}
CONNS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-15s}
PURGES=${BENCH_PURGES:-20}
DB=tollgate_bench_cache

apt_install wrk:wrk curl:curl jq:jq psql:postgresql-client ss:iproute2 python3:python3
# shellcheck source=bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
tollgate_select_jdk >/dev/null
build_tollgate
build_inventory

UP=$(free_port); ADMIN_PORT=$(free_port); GW=$(free_port); MG=$(free_port)
start_bg inventory "$WORK/inventory.log" "$INVENTORY" --addr "127.0.0.1:$UP"
wait_for "rust-inventory" 10 curl -fsS "http://127.0.0.1:$UP/healthz"

new_db "$DB"
export TOLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" TOLLGATE_DB_USER=postgres TOLLGATE_DB_PASSWORD=
export TOLLGATE_BIND_HOST=127.0.0.1 TOLLGATE_DB_POOL_SIZE=4
unset TOLLGATE_JAVA_OPTS
ADMIN_EMAIL=bench-admin@example.com
ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
TOLLGATE_JWT_SECRET=$(head -c 48 /dev/urandom | base64) \
TOLLGATE_BOOTSTRAP_ADMIN_EMAIL=$ADMIN_EMAIL TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD=$ADMIN_PASSWORD TOLLGATE_ADMIN_PORT=$ADMIN_PORT \
  start_bg admin "$WORK/admin.log" "$ROOT/bin/tollgate" admin
wait_for "admin on $ADMIN_PORT" 180 curl -fsS "http://127.0.0.1:$ADMIN_PORT/api/v1/health"
gateway_logging "$WORK/logging.properties" off
TOLLGATE_GATEWAY_PORT=$GW TOLLGATE_MGMT_PORT=$MG TOLLGATE_NODE_ID=bench-cache-1 \
TOLLGATE_ACCESS_LOG=off TOLLGATE_JAVA_OPTS="-Djava.util.logging.config.file=$WORK/logging.properties" \
  start_bg gateway "$WORK/gateway.log" "$ROOT/bin/tollgate" gateway
wait_for "gateway" 180 curl -fsS "http://127.0.0.1:$MG/health/ready"

API="http://127.0.0.1:$ADMIN_PORT/api/v1"
TOKEN=$(curl -fsS -X POST "$API/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" | jq -r .access_token)
api() { curl -fsS -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"} "$API$2"; }
api POST /tenants '{"slug":"bench","name":"Bench","plan":{"rate_per_second":1000000,"burst":1000000}}' >/dev/null
api POST /tenants/bench/services "{\"name\":\"inventory\",\"language\":\"rust\",\"targets\":[{\"url\":\"http://127.0.0.1:$UP\"}]}" >/dev/null
api POST /tenants/bench/routes '{"name":"plain","service":"inventory","paths":["/plain"],"strip_prefix":true,"auth":"none"}' >/dev/null
api POST /tenants/bench/routes '{"name":"cached","service":"inventory","paths":["/cached"],"strip_prefix":true,"auth":"none","cache_enabled":true,"cache_ttl_seconds":300}' >/dev/null
G="http://127.0.0.1:$GW"
wait_for "route /cached" 10 curl -fsS "$G/cached/items/1"
wait_for "route /plain" 10 curl -fsS "$G/plain/items/1"

run_wrk() {  # run_wrk URL -> "req/s p50ms p99ms"
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$1" >"$WORK/wrk.out" 2>&1
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$WORK/wrk.out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/wrk.out")")
  grep -q "Non-2xx" "$WORK/wrk.out" && die "non-2xx answers during the run: $(grep Non-2xx "$WORK/wrk.out")"
  echo "$rps $p50 $p99"
}
upstream_calls() { curl -fsS "http://127.0.0.1:$MG/metrics" | awk '/^tollgate_upstream_duration_seconds_count/ {s += $2} END {print s + 0}'; }

echo "response cache — $(date -u '+%Y-%m-%d %H:%M UTC')"
machine_line
echo "  1 gateway node (bin/tollgate), upstream rust-inventory, wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds"
log "bench: warming up ($WARMUP each)"
wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "$G/plain/items/1" >/dev/null 2>&1
wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "$G/cached/items/1" >/dev/null 2>&1
declare -a P_RPS P_50 P_99 C_RPS C_50 C_99
for ((r = 1; r <= ROUNDS; r++)); do
  for which in plain cached; do
    before=$(upstream_calls)
    read -r rps p50 p99 <<<"$(run_wrk "$G/$which/items/1")"
    calls=$(( $(upstream_calls) - before ))
    printf '  round %d %-7s %10s req/s  p50 %7s ms  p99 %7s ms  upstream requests %s\n' "$r" "$which" "$rps" "$p50" "$p99" "$calls"
    if [[ $which == plain ]]; then P_RPS+=("$rps"); P_50+=("$p50"); P_99+=("$p99"); else C_RPS+=("$rps"); C_50+=("$p50"); C_99+=("$p99"); fi
  done
done
echo "  median  plain   $(median "${P_RPS[@]}") req/s  p50 $(median "${P_50[@]}") ms  p99 $(median "${P_99[@]}") ms"
echo "  median  cached  $(median "${C_RPS[@]}") req/s  p50 $(median "${C_50[@]}") ms  p99 $(median "${C_99[@]}") ms"
echo "  cached / plain throughput: $(ratio "$(median "${C_RPS[@]}")" "$(median "${P_RPS[@]}")")x"
curl -fsS "http://127.0.0.1:$MG/metrics" | grep -E '^tollgate_cache_(requests_total|bytes|entries)' | sed 's/^/  /'

python3 - "$API" "$TOKEN" "$GW" "$PURGES" <<'EOF'
import http.client, json, statistics, sys, time, urllib.request
api, token, gw, purges = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
node = http.client.HTTPConnection("127.0.0.1", gw, timeout=5)
def x_cache():
    node.request("GET", "/cached/items/1"); r = node.getresponse(); r.read(); return r.getheader("X-Cache")
took = []
for i in range(purges):
    while x_cache() != "HIT":
        time.sleep(0.01)
    req = urllib.request.Request(api + "/tenants/bench/routes/cached/cache/purge", method="POST",
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        assert r.status == 202, r.status
    t0 = time.monotonic()
    while x_cache() != "MISS":
        if time.monotonic() - t0 > 30: sys.exit("purge not applied after 30 s")
        time.sleep(0.001)
    took.append((time.monotonic() - t0) * 1000)
    time.sleep(0.2)
print(f"  purge: admin 202 -> first MISS on the node, over {purges} purges: p50 {statistics.median(took):.1f} ms, "
      f"max {max(took):.1f} ms, min {min(took):.1f} ms")
EOF
