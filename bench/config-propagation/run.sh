#!/usr/bin/env bash
# Benchmark: config propagation, admin write -> served by every gateway node. Prints figures; not a test.
#
#   bench/config-propagation/run.sh
#
# Starts examples' rust-inventory, admin and two gateway nodes (defaults: LISTEN on, poll every 1000 ms) on a
# database of its own. Through the admin REST API (as an operator's script would): a tenant, a service, then
# BENCH_CHANGES (100) changes, each one a new route /cp-N (auth none, strip prefix). For each change the clock
# starts when the admin's 201 response has been read, and both nodes are polled back to back over keep-alive
# connections (GET /cp-N/healthz, ~1 ms apart) until each answers 200; it prints p50/p99/max per node and for
# "both nodes". The next change starts 200 ms after both serve the previous one.
# Everything stops and the database is dropped at exit (trap).
#
# Settings: BENCH_CHANGES=100  BENCH_POLL_MS (unset = product default)  BENCH_LISTEN (unset = default, true)
#           TOLLGATE_BENCH_KEEP=1
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/tollgate-bench-prop.XXXXXX)
# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"
CHANGES=${BENCH_CHANGES:-100}
DB=tollgate_bench_prop

apt_install curl:curl jq:jq psql:postgresql-client ss:iproute2 python3:python3
# shellcheck source=bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
tollgate_select_jdk >/dev/null
build_tollgate
build_inventory

UP=$(free_port); ADMIN_PORT=$(free_port); GW1=$(free_port); MG1=$(free_port); GW2=$(free_port); MG2=$(free_port)
start_bg inventory "$WORK/inventory.log" "$INVENTORY" --addr "127.0.0.1:$UP"
wait_for "rust-inventory" 10 curl -fsS "http://127.0.0.1:$UP/healthz"

new_db "$DB"
export TOLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" TOLLGATE_DB_USER=postgres TOLLGATE_DB_PASSWORD=
export TOLLGATE_BIND_HOST=127.0.0.1 TOLLGATE_DB_POOL_SIZE=4
unset TOLLGATE_JAVA_OPTS
[[ -n ${BENCH_POLL_MS:-} ]] && export TOLLGATE_CONFIG_POLL_MS=$BENCH_POLL_MS
[[ -n ${BENCH_LISTEN:-} ]] && export TOLLGATE_CONFIG_LISTEN=$BENCH_LISTEN
ADMIN_EMAIL=bench-admin@example.com
ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
TOLLGATE_JWT_SECRET=$(head -c 48 /dev/urandom | base64) \
TOLLGATE_BOOTSTRAP_ADMIN_EMAIL=$ADMIN_EMAIL TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD=$ADMIN_PASSWORD TOLLGATE_ADMIN_PORT=$ADMIN_PORT \
  start_bg admin "$WORK/admin.log" "$ROOT/bin/tollgate" admin
wait_for "admin on $ADMIN_PORT" 180 curl -fsS "http://127.0.0.1:$ADMIN_PORT/api/v1/health"
gateway_logging "$WORK/logging.properties" off
TOLLGATE_GATEWAY_PORT=$GW1 TOLLGATE_MGMT_PORT=$MG1 TOLLGATE_NODE_ID=bench-prop-1 \
TOLLGATE_ACCESS_LOG=off TOLLGATE_JAVA_OPTS="-Djava.util.logging.config.file=$WORK/logging.properties" \
  start_bg gateway-1 "$WORK/gateway-1.log" "$ROOT/bin/tollgate" gateway
TOLLGATE_GATEWAY_PORT=$GW2 TOLLGATE_MGMT_PORT=$MG2 TOLLGATE_NODE_ID=bench-prop-2 \
TOLLGATE_ACCESS_LOG=off TOLLGATE_JAVA_OPTS="-Djava.util.logging.config.file=$WORK/logging.properties" \
  start_bg gateway-2 "$WORK/gateway-2.log" "$ROOT/bin/tollgate" gateway
wait_for "gateway 1" 180 curl -fsS "http://127.0.0.1:$MG1/health/ready"
wait_for "gateway 2" 180 curl -fsS "http://127.0.0.1:$MG2/health/ready"

echo "config propagation — $(date -u '+%Y-%m-%d %H:%M UTC')"
machine_line
echo "  admin + 2 gateway nodes (bin/tollgate, poll ${BENCH_POLL_MS:-1000 (default)} ms, LISTEN ${BENCH_LISTEN:-true (default)}), PostgreSQL 127.0.0.1:5432"
echo "  $CHANGES changes: POST /api/v1/tenants/bench/routes (new route /cp-N, auth none) -> both nodes answer 200 on /cp-N/healthz"

python3 - "$ADMIN_PORT" "$GW1" "$GW2" "$UP" "$CHANGES" "$ADMIN_EMAIL" "$ADMIN_PASSWORD" <<'EOF'
import http.client, json, math, sys, time, statistics
admin_port, g1, g2, up, changes, email, password = sys.argv[1:8]
changes = int(changes)
adm = http.client.HTTPConnection("127.0.0.1", int(admin_port), timeout=30)
def api(method, path, body, token=None):
    h = {"Content-Type": "application/json"}
    if token: h["Authorization"] = "Bearer " + token
    adm.request(method, "/api/v1" + path, json.dumps(body), h)
    r = adm.getresponse(); data = r.read()
    if r.status // 100 != 2: sys.exit(f"{method} {path} answered {r.status}: {data[:300]!r}")
    return json.loads(data) if data else None
token = api("POST", "/auth/token", {"email": email, "password": password})["access_token"]
api("POST", "/tenants", {"slug": "bench", "name": "Bench", "plan": {"rate_per_second": 100000, "burst": 100000}}, token)
api("POST", "/tenants/bench/services", {"name": "inventory", "language": "rust",
    "targets": [{"url": f"http://127.0.0.1:{up}", "weight": 1}], "read_timeout_ms": 5000}, token)
nodes = {"node-1": int(g1), "node-2": int(g2)}
conns = {n: http.client.HTTPConnection("127.0.0.1", p, timeout=5) for n, p in nodes.items()}
def status(n, path):
    for attempt in range(3):
        try:
            conns[n].request("GET", path); r = conns[n].getresponse(); r.read(); return r.status
        except (http.client.HTTPException, OSError):
            conns[n].close(); conns[n] = http.client.HTTPConnection("127.0.0.1", nodes[n], timeout=5)
    return -1
res = {"node-1": [], "node-2": [], "both": []}; write_ms = []
for i in range(1, changes + 1):
    path = f"/cp-{i}"
    w0 = time.monotonic()
    api("POST", "/tenants/bench/routes", {"name": f"cp-{i}", "service": "inventory", "paths": [path],
        "methods": ["GET"], "strip_prefix": True, "auth": "none"}, token)
    t0 = time.monotonic(); write_ms.append((t0 - w0) * 1000)
    pending = set(nodes)
    while pending:
        for n in sorted(pending):
            if status(n, path + "/healthz") == 200:
                res[n].append((time.monotonic() - t0) * 1000); pending.discard(n)
        if time.monotonic() - t0 > 30: sys.exit(f"change {i}: {pending} not serving after 30 s")
        if pending: time.sleep(0.001)
    res["both"].append(max(res["node-1"][-1], res["node-2"][-1]))
    time.sleep(0.2)
def pct(v, p):
    s = sorted(v); k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1)); return s[k]  # nearest rank
print(f"  admin write (POST route, response time): p50 {statistics.median(write_ms):.0f} ms, p99 {pct(write_ms, 99):.0f} ms")
print(f"  admin response -> serving, over {changes} changes (ms):")
print(f"    {'':8s} {'p50':>7s} {'p90':>7s} {'p99':>7s} {'max':>7s} {'min':>7s} {'mean':>7s}")
for n in ("node-1", "node-2", "both"):
    v = res[n]
    print(f"    {n:8s} {statistics.median(v):7.1f} {pct(v, 90):7.1f} {pct(v, 99):7.1f} {max(v):7.1f} {min(v):7.1f} {statistics.mean(v):7.1f}")
over = sum(1 for v in res["both"] if v > 1000)
print(f"    changes where both served only after > 1 s: {over} of {changes}")
EOF
echo "  node logs: $(grep -c 'serving config version' "$WORK/gateway-1.log") / $(grep -c 'serving config version' "$WORK/gateway-2.log") snapshots loaded (node 1 / node 2); load $(cut -d' ' -f1-3 /proc/loadavg)"
