#!/usr/bin/env bash
# Benchmark: does a gateway node stay fast with 10,000 routes and 100,000 API keys? Prints figures; not a test.
#
#   bench/route-key-scale/run.sh
#
# Four databases, one gateway node each, all running at once so the rounds interleave:
#   r1-k1        1 route,       1 key
#   r10k-k1      10,000 routes, 1 key
#   r1-k100k     1 route,       100,000 keys
#   r10k-k100k   10,000 routes, 100,000 keys
# Seeding: the schema is migrated once (bin/tollgate migrate) into a template database holding the bench tenant,
# its service (examples' rust-inventory) and route 0 with key 0; the four are created from it and the extra
# routes/keys are loaded with psql COPY straight into routes/api_keys, in the store's own formats (UUID ids;
# hosts/paths/methods jsonb arrays; secret_sha256 = lower-case hex SHA-256 of the secret of tg_<public_id>_<secret>);
# then config_state.version is bumped with a NOTIFY tollgate_config, as the admin does. The admin API is not used:
# 110,000 admin writes would take long here.
# Measures, per node: wrk -t1 -c32 req/s, p50, p99 on GET /rNNNNN/healthz (api-key, strip prefix) with the route in
# the middle of the set and a key from the large set; interleaved rounds, order rotating. Then:
#   - heap used after a full GC (jcmd GC.run, then GC.heap_info) per node;
#   - config load as the node sees it: version bump committed -> the node's /metrics tollgate_config_version shows
#     it (read + compile + swap; polled every ~2 ms), several bumps per node;
#   - read vs compile split, with a bench-only helper (SnapshotTiming.src, Java source;
#     not named *.java because bin/tollgate rebuilds whenever any *.java in the checkout is newer than its jar) calling the same reader and compiler.
# Everything stops and every database of the run is dropped at exit (trap).
#
# Settings: BENCH_ROUNDS=3 BENCH_DURATION=5s BENCH_GATEWAY_WARMUP=20s BENCH_CONNECTIONS=32 BENCH_ROUTES=10000
#           BENCH_KEYS=100000 BENCH_BUMPS=5 TOLLGATE_BENCH_KEEP=1
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/tollgate-bench-scale.XXXXXX)
# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"

ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-5s}
GATEWAY_WARMUP=${BENCH_GATEWAY_WARMUP:-20s}
CONNS=${BENCH_CONNECTIONS:-32}
NROUTES=${BENCH_ROUTES:-10000}
NKEYS=${BENCH_KEYS:-100000}
BUMPS=${BENCH_BUMPS:-5}
PFX=tollgate_bench_scale

apt_install wrk:wrk curl:curl jq:jq psql:postgresql-client ss:iproute2 python3:python3
# shellcheck source=bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
tollgate_select_jdk >/dev/null
build_tollgate
build_inventory
CP="$ROOT/launcher/target/tollgate-launcher.jar:$ROOT/launcher/target/libs/*"

UP=$(free_port)
start_bg inventory "$WORK/inventory.log" "$INVENTORY" --addr "127.0.0.1:$UP"
wait_for "rust-inventory" 10 curl -fsS "http://127.0.0.1:$UP/healthz"
EXPECTED=$(curl -fsS "http://127.0.0.1:$UP/healthz")

# --- generate the rows (python3: uuid4, sha256); key i = tg_<public id i>_<secret i>
python3 - "$WORK" "$NROUTES" "$NKEYS" <<'EOF'
import base64, hashlib, os, sys, uuid
work, nroutes, nkeys = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
tenant, service = str(uuid.uuid4()), str(uuid.uuid4())
def rnd(n): return base64.b32encode(os.urandom(n)).decode().lower().rstrip("=")[:n]   # base32, like KeyMaterial
with open(f"{work}/ids", "w") as f:
    f.write(f"TENANT={tenant}\nSERVICE={service}\n")
def route(i):
    return f'{uuid.uuid4()},{tenant},{service},r{i:05d},"[]","[""/r{i:05d}""]","[""GET""]",true,api-key\n'
with open(f"{work}/route0.csv", "w") as f: f.write(route(0))
with open(f"{work}/routes.csv", "w") as f:
    for i in range(1, nroutes): f.write(route(i))
keys = {}
def key(i, f):
    pub = f"{i:06d}" + rnd(6)
    sec = rnd(52)
    keys[i] = f"tg_{pub}_{sec}"
    f.write(f"{uuid.uuid4()},{tenant},k{i},{pub},{hashlib.sha256(sec.encode()).hexdigest()}\n")
with open(f"{work}/key0.csv", "w") as f: key(0, f)
with open(f"{work}/keys.csv", "w") as f:
    for i in range(1, nkeys): key(i, f)
with open(f"{work}/key0", "w") as f: f.write(keys[0])
with open(f"{work}/keymid", "w") as f: f.write(keys[max(nkeys // 2, 1) if nkeys > 1 else 0])
EOF
# shellcheck disable=SC1091
source "$WORK/ids"

# --- template database: schema + tenant + service + route 0 + key 0
export TOLLGATE_DB_USER=postgres TOLLGATE_DB_PASSWORD=
unset TOLLGATE_JAVA_OPTS
new_db "${PFX}_tpl"
TOLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/${PFX}_tpl" "$ROOT/bin/tollgate" migrate >"$WORK/migrate.log" 2>&1 \
  || { tail -30 "$WORK/migrate.log" >&2; die "migrate failed"; }
sql() { psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d "$1" "${@:2}"; }
sql "${PFX}_tpl" >/dev/null <<EOF
insert into tenants (id, slug, name, rate_per_second, burst) values ('$TENANT', 'bench', 'Bench', 1000000, 10000000);
insert into services (id, tenant_id, name, language, protocol, targets, connect_timeout_ms, read_timeout_ms)
  values ('$SERVICE', '$TENANT', 'inventory', 'rust', 'http1', '[{"url":"http://127.0.0.1:$UP","weight":1}]', 1000, 5000);
\copy routes (id, tenant_id, service_id, name, hosts, paths, methods, strip_prefix, auth) from '$WORK/route0.csv' with (format csv)
\copy api_keys (id, tenant_id, name, public_id, secret_sha256) from '$WORK/key0.csv' with (format csv)
update config_state set version = version + 1, updated_at = now() where id = 1;
EOF

CONFIGS=(r1-k1 r10k-k1 r1-k100k r10k-k100k)
declare -A SEED_SECS PATHQ KEYQ
for c in "${CONFIGS[@]}"; do
  db=${PFX}_${c//-/_}
  new_db "$db" "${PFX}_tpl"
  start=$EPOCHREALTIME
  {
    [[ $c == r10k-* ]] && echo "\\copy routes (id, tenant_id, service_id, name, hosts, paths, methods, strip_prefix, auth) from '$WORK/routes.csv' with (format csv)"
    [[ $c == *-k100k ]] && echo "\\copy api_keys (id, tenant_id, name, public_id, secret_sha256) from '$WORK/keys.csv' with (format csv)"
    echo "update config_state set version = version + 1, updated_at = now() where id = 1;"
    echo "select pg_notify('tollgate_config', (select version::text from config_state));"
  } | sql "$db" >/dev/null
  SEED_SECS[$c]=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  if [[ $c == r10k-* ]]; then PATHQ[$c]=$(printf '/r%05d/healthz' $((NROUTES / 2))); else PATHQ[$c]=/r00000/healthz; fi
  if [[ $c == *-k100k ]]; then KEYQ[$c]=$(cat "$WORK/keymid"); else KEYQ[$c]=$(cat "$WORK/key0"); fi
  counts=$(sql "$db" -At -c "select (select count(*) from routes) || ' routes, ' || (select count(*) from api_keys) || ' keys'")
  log "bench: $db seeded in ${SEED_SECS[$c]} s ($counts)"
done

# --- one gateway node per database (access log off: this measures lookup, not recording)
gateway_logging "$WORK/logging.properties" off
declare -A GW MG
for c in "${CONFIGS[@]}"; do
  GW[$c]=$(free_port); MG[$c]=$(free_port)
  TOLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/${PFX}_${c//-/_}" \
  TOLLGATE_GATEWAY_PORT=${GW[$c]} TOLLGATE_MGMT_PORT=${MG[$c]} TOLLGATE_BIND_HOST=127.0.0.1 TOLLGATE_NODE_ID=bench-$c \
  TOLLGATE_DB_POOL_SIZE=2 TOLLGATE_ACCESS_LOG=off TOLLGATE_JAVA_OPTS="-Djava.util.logging.config.file=$WORK/logging.properties" \
    start_bg "$c" "$WORK/gw-$c.log" "$ROOT/bin/tollgate" gateway
done
for c in "${CONFIGS[@]}"; do
  wait_for "gateway $c" 180 curl -fsS "http://127.0.0.1:${MG[$c]}/health/ready"
  wait_for "gateway $c route" 30 curl -fsS -H "X-API-Key: ${KEYQ[$c]}" "http://127.0.0.1:${GW[$c]}${PATHQ[$c]}"
  body=$(curl -fsS -H "X-API-Key: ${KEYQ[$c]}" "http://127.0.0.1:${GW[$c]}${PATHQ[$c]}")
  [[ $body == "$EXPECTED" ]] || die "gateway $c answered '$body'"
  [[ $(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: ${KEYQ[$c]}x" "http://127.0.0.1:${GW[$c]}${PATHQ[$c]}") == 401 ]] \
    || die "gateway $c accepted a wrong secret"
done

echo "route/key scale — $(date -u '+%Y-%m-%d %H:%M UTC')"
machine_line
echo "  upstream: examples/services rust-inventory; 4 gateway nodes (bin/tollgate gateway, default heap), one per database,"
echo "  access log off, metrics on; route api-key + strip prefix; request GET /rNNNNN/healthz with X-API-Key"
echo "  seeding (psql COPY + version bump): $(for c in "${CONFIGS[@]}"; do printf '%s %ss  ' "$c" "${SEED_SECS[$c]}"; done)"
echo "  node logs: $(for c in "${CONFIGS[@]}"; do grep -o 'serving config version [0-9]* ([0-9]* routes, [0-9]* keys)' "$WORK/gw-$c.log" | tail -1 | sed "s/^/$c: /"; done | paste -sd';')"
echo "  wrk -t1 -c$CONNS -d$DURATION --latency, $ROUNDS interleaved rounds; warm-up $GATEWAY_WARMUP per node"
for c in "${CONFIGS[@]}"; do
  wrk -t1 -c"$CONNS" -d"$GATEWAY_WARMUP" -H "X-API-Key: ${KEYQ[$c]}" "http://127.0.0.1:${GW[$c]}${PATHQ[$c]}" >/dev/null 2>&1
done
declare -A RPS P50 P99
for ((r = 1; r <= ROUNDS; r++)); do
  for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
    c=${CONFIGS[(r - 1 + k) % ${#CONFIGS[@]}]}
    out=$WORK/wrk-$c-$r.txt
    wrk -t1 -c"$CONNS" -d"$DURATION" --latency -H "X-API-Key: ${KEYQ[$c]}" "http://127.0.0.1:${GW[$c]}${PATHQ[$c]}" >"$out" 2>&1
    errs=$(awk '/Non-2xx or 3xx responses/ {print "non-2xx " $NF} /Socket errors/ {print}' "$out" | tr '\n' ' ')
    RPS[$c,$r]=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$out")
    P50[$c,$r]=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
    P99[$c,$r]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    printf '  round %d  %-11s %8s req/s  p50 %8.3f ms  p99 %8.3f ms  (load %s) %s\n' "$r" "$c" "${RPS[$c,$r]}" \
      "${P50[$c,$r]}" "${P99[$c,$r]}" "$(cut -d' ' -f1 /proc/loadavg)" "${errs:+WARNING: $errs}"
  done
done
declare -A M_RPS M_P99
echo
echo "medians of $ROUNDS rounds (ratios to r1-k1 from this run):"
printf '  %-11s %9s %9s %9s %9s %9s\n' config "req/s" "p50 ms" "p99 ms" "x req/s" "x p99"
for c in "${CONFIGS[@]}"; do
  a=() b=() d=()
  for ((r = 1; r <= ROUNDS; r++)); do a+=("${RPS[$c,$r]}"); b+=("${P50[$c,$r]}"); d+=("${P99[$c,$r]}"); done
  M_RPS[$c]=$(median "${a[@]}"); M_P99[$c]=$(median "${d[@]}")
  printf '  %-11s %9.0f %9.3f %9.3f %9s %9s\n' "$c" "${M_RPS[$c]}" "$(median "${b[@]}")" "${M_P99[$c]}" \
    "$(ratio "${M_RPS[$c]}" "${M_RPS[r1-k1]}")" "$(ratio "${M_P99[$c]}" "${M_P99[r1-k1]}")"
done

echo
echo "heap used after a full GC (jcmd <pid> GC.run; GC.heap_info), per node:"
declare -A HEAP
for c in "${CONFIGS[@]}"; do
  pid=$(pid_of "$c")
  "$JAVA_HOME/bin/jcmd" "$pid" GC.run >/dev/null
  sleep 0.5
  info=$("$JAVA_HOME/bin/jcmd" "$pid" GC.heap_info)
  HEAP[$c]=$(awk '/garbage-first heap|total.*used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); print v; exit } }' <<<"$info")
  printf '  %-11s %8.1f MB used   (%s)\n' "$c" "$(awk -v k="${HEAP[$c]}" 'BEGIN { print k / 1024 }')" \
    "$(grep -m1 -E 'heap|used' <<<"$info" | sed 's/^ *//')"
done
printf '  r10k-k100k - r1-k1: %.1f MB for %d routes + %d keys\n' \
  "$(awk -v a="${HEAP[r10k-k100k]}" -v b="${HEAP[r1-k1]}" 'BEGIN { print (a - b) / 1024 }')" "$NROUTES" "$NKEYS"

echo
echo "config load as each node sees it: version bump committed (psql returned) -> /metrics tollgate_config_version"
echo "  shows it (reader + compiler + swap, LISTEN on); $BUMPS bumps per node, nothing else changes:"
for c in r1-k1 r10k-k100k; do
  python3 - "${PFX}_${c//-/_}" "${MG[$c]}" "$BUMPS" "$c" <<'EOF'
import http.client, subprocess, sys, time, statistics
db, port, bumps, name = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
def version():
    conn.request("GET", "/metrics"); body = conn.getresponse().read().decode()
    for line in body.splitlines():
        if line.startswith("tollgate_config_version"):
            return int(float(line.split()[-1]))
    return -1
ms = []
for _ in range(bumps):
    out = subprocess.run(["psql", "-qAt", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-c",
        "update config_state set version = version + 1, updated_at = now() where id = 1 returning version; "
        "select pg_notify('tollgate_config', (select version::text from config_state))"],
        check=True, capture_output=True, text=True).stdout.split()
    want = int(out[0]); t0 = time.monotonic()
    while version() < want:
        if time.monotonic() - t0 > 60: sys.exit(f"{name}: version {want} not applied in 60 s")
        time.sleep(0.002)
    ms.append((time.monotonic() - t0) * 1000)
    time.sleep(1.0)
print(f"  {name:11s} bump->applied ms: " + " ".join(f"{v:.0f}" for v in ms)
      + f"   median {statistics.median(ms):.0f}  max {max(ms):.0f}")
EOF
done

echo
echo "read vs compile split (bench helper SnapshotTiming.src: ConfigSnapshotReader.read + SnapshotCompiler.compile,"
echo "  7 runs in one JVM: first = cold, median of the other 6 = warm):"
for c in r1-k1 r10k-k100k; do
  printf '  %-11s ' "$c"
  TOLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/${PFX}_${c//-/_}" \
    "$JAVA_HOME/bin/java" --source 25 -cp "$CP" "$HERE/SnapshotTiming.src" 7 2>"$WORK/timing-$c.err" \
    || { cat "$WORK/timing-$c.err" >&2; die "SnapshotTiming failed"; }
done
