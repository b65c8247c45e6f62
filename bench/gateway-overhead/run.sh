#!/usr/bin/env bash
# Benchmark: what a gateway node costs on the request path, next to nginx as a keep-alive reverse proxy.
# Prints figures; a benchmark, not a test: it asserts nothing about them (it fails only when something is broken).
#
#   bench/gateway-overhead/run.sh
#
# What it does:
#   1. installs what is missing from apt (wrk, nginx, curl, jq, psql; librust-hyper-dev + librust-tokio-dev for the
#      upstream when cargo is on the machine);
#   2. builds the upstream: Rust hyper 0.14 (upstream/), answering a fixed 39-byte JSON; without cargo, or when that
#      build fails, a second nginx returning the same 39 bytes on its own port (the run says which);
#   3. creates the database tollgate_bench_gw on PostgreSQL 127.0.0.1:5432 (user postgres) and migrates it
#      (bin/tollgate migrate);
#   4. starts bin/tollgate admin and configures, through the admin REST API as an operator would, a tenant with a
#      generous plan, a service pointing at the upstream, a route /bench (API key, prefix stripped) and a key;
#      admin is stopped again before measuring;
#   5. starts nginx (keep-alive upstream block, proxy_http_version 1.1, Connection "") and one gateway node
#      (bin/tollgate gateway, access log to a file, metrics on);
#   6. warms up, then runs wrk against direct, nginx and gateway in interleaved rounds (the order rotates each
#      round) and prints req/s, p50, p99 and CPU per request of the process under test, each round and the median;
#   7. stops everything it started and drops the database, also on failure or Ctrl-C.
#
# Settings (environment):
#   BENCH_ROUNDS=3  BENCH_THREADS=1  BENCH_CONNECTIONS=32  BENCH_DURATION=10s
#   BENCH_WARMUP=10s  BENCH_GATEWAY_WARMUP=30s   (wrk before the rounds; the JVM needs longer for C2 to settle)
#   BENCH_UPSTREAM=hyper|nginx      (default hyper when it builds)
#   BENCH_UPSTREAM_THREADS=2        (tokio worker threads of the hyper upstream)
#   BENCH_NGINX_WORKERS=auto        (worker_processes of the nginx reverse proxy)
#   BENCH_NGINX_ACCESS_LOG=on       (nginx writes its own access log to a file, as the gateway does; off to skip)
#   BENCH_TARGETS="direct nginx gateway"   (a subset, e.g. "gateway" for a profiling run; ratios need all three)
#   BENCH_JFR=/path/file.jfr        (records the gateway with JFR during the measured rounds only)
#   BENCH_JFR_OPTIONS="settings=profile"   (jcmd JFR.start options, e.g. "settings=profile jdk.CPUTimeSample#enabled=true")
#   BENCH_GATEWAY_JAVA_OPTS=...     (JVM options for the gateway only; TOLLGATE_JAVA_OPTS is used when this is unset)
#   BENCH_HOLD=1                    (after the setup, print the URLs and the key and wait for Ctrl-C: for profiling by hand)
#   TOLLGATE_BENCH_KEEP=1           (keep the database and the work folder with the logs)
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"   # nginx and ss live there

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-1}
CONNS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-10s}
GATEWAY_WARMUP=${BENCH_GATEWAY_WARMUP:-30s}
UPSTREAM_KIND=${BENCH_UPSTREAM:-hyper}
UPSTREAM_THREADS=${BENCH_UPSTREAM_THREADS:-2}
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-auto}
NGINX_ACCESS_LOG=${BENCH_NGINX_ACCESS_LOG:-on}
GATEWAY_JAVA_OPTS=${BENCH_GATEWAY_JAVA_OPTS-${TOLLGATE_JAVA_OPTS:-}}
read -r -a TARGETS <<<"${BENCH_TARGETS:-direct nginx gateway}"
JFR_OPTIONS=${BENCH_JFR_OPTIONS:-settings=profile}
DB=tollgate_bench_gw
KEEP=${TOLLGATE_BENCH_KEEP:-0}
WORK=$(mktemp -d /tmp/tollgate-bench-gw.XXXXXX)
chmod 755 "$WORK"   # nginx workers run as an unprivileged user
REQUEST_PATH=/orders/123
EXPECTED_BODY='{"order":123,"status":"shipped","ok":1}'

# Logging, process tracking, cleanup trap (processes, nginx masters, databases in DBS, the work folder), start_bg,
# pid_of, wait_for, free_port, apt_install, to_ms and median: shared with the other bench/ scripts.
# shellcheck source=bench/lib/common.sh
source "$HERE/../lib/common.sh"

# ---------------------------------------------------------------------------------------------------------------
# 1. Tools
# ---------------------------------------------------------------------------------------------------------------
apt_install wrk:wrk nginx:nginx curl:curl jq:jq psql:postgresql-client pgrep:procps ss:iproute2
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || die "nginx not found after install"

# shellcheck source=bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
tollgate_select_jdk >/dev/null

# ---------------------------------------------------------------------------------------------------------------
# 2. Upstream
# ---------------------------------------------------------------------------------------------------------------
UPSTREAM_PORT=$(free_port)
NGINX_PORT=$(free_port)
GATEWAY_PORT=$(free_port)
MGMT_PORT=$(free_port)
ADMIN_PORT=$(free_port)

build_hyper() {
  local cargo
  cargo=$(command -v cargo || true)
  [[ -z $cargo && -x $HOME/.cargo/bin/cargo ]] && cargo=$HOME/.cargo/bin/cargo
  [[ -n $cargo ]] || { log "bench: no cargo on this machine"; return 1; }
  apt_install librust-hyper-dev librust-tokio-dev || return 1
  log "bench: building the hyper upstream (cargo build --release, offline from Debian's crates) ..."
  (cd "$HERE/upstream" && "$cargo" build --release -q) >"$WORK/cargo.log" 2>&1 || {
    log "bench: the hyper upstream did not build:"; tail -20 "$WORK/cargo.log" >&2; return 1; }
}

nginx_conf_head() {  # nginx_conf_head NAME WORKERS: the common top of a config of our own (own pid, logs, temp dirs)
  local name=$1 workers=$2 dir=$WORK/nginx-$1
  mkdir -p "$dir"
  cat <<EOF
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
daemon on;
events { worker_connections 4096; }
EOF
}

start_nginx() {  # start_nginx CONF
  local conf=$1
  "$NGINX" -t -q -c "$conf" -p "$(dirname "$conf")" 2>"$WORK/nginx-test.log" || {
    cat "$WORK/nginx-test.log" >&2; die "nginx config $conf refused"; }
  NGINX_CONFS+=("$conf")
  "$NGINX" -c "$conf" -p "$(dirname "$conf")"
}

nginx_pids() {  # master and workers of the nginx started with CONF
  local pidfile master
  pidfile=$(sed -n 's/^pid \(.*\);$/\1/p' "$1")
  master=$(cat "$pidfile")
  echo "$master" "$(pgrep -P "$master" | tr '\n' ' ')"
}

if [[ $UPSTREAM_KIND == hyper ]] && build_hyper; then
  UPSTREAM_DESC="Rust hyper 0.14 / tokio 1.24 ($UPSTREAM_THREADS worker threads), fixed 39-byte JSON"
  start_bg upstream "$WORK/upstream.log" "$HERE/upstream/target/release/tollgate-bench-upstream" \
    "$UPSTREAM_PORT" "$UPSTREAM_THREADS" >/dev/null
  upstream_pids() { pid_of upstream; }
else
  UPSTREAM_KIND=nginx
  UPSTREAM_DESC="nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') return 200 (1 worker), fixed 39-byte JSON"
  UPSTREAM_CONF=$WORK/nginx-upstream/nginx.conf
  nginx_conf_head upstream 1 >"$WORK/nginx-upstream.tmp"
  mv "$WORK/nginx-upstream.tmp" "$UPSTREAM_CONF"
  cat >>"$UPSTREAM_CONF" <<EOF
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx-upstream;
  proxy_temp_path $WORK/nginx-upstream;
  fastcgi_temp_path $WORK/nginx-upstream;
  uwsgi_temp_path $WORK/nginx-upstream;
  scgi_temp_path $WORK/nginx-upstream;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    location / { default_type application/json; return 200 '$EXPECTED_BODY'; }
  }
}
EOF
  start_nginx "$UPSTREAM_CONF"
  upstream_pids() { nginx_pids "$UPSTREAM_CONF"; }
fi
wait_for "upstream on $UPSTREAM_PORT" 10 curl -fsS "http://127.0.0.1:$UPSTREAM_PORT$REQUEST_PATH"

# ---------------------------------------------------------------------------------------------------------------
# 3. Database
# ---------------------------------------------------------------------------------------------------------------
PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -c "drop database if exists $DB with (force)" >/dev/null
psql -q -h 127.0.0.1 -U postgres -c "create database $DB" >/dev/null
DBS+=("$DB")
export TOLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" TOLLGATE_DB_USER=postgres TOLLGATE_DB_PASSWORD=
unset TOLLGATE_JAVA_OPTS   # only the gateway gets JVM options (GATEWAY_JAVA_OPTS)
"$ROOT/bin/tollgate" migrate >"$WORK/migrate.log" 2>&1 || { tail -30 "$WORK/migrate.log" >&2; die "migrate failed"; }

# ---------------------------------------------------------------------------------------------------------------
# 4. Configuration through the admin REST API
# ---------------------------------------------------------------------------------------------------------------
ADMIN_EMAIL=bench-admin@example.com
ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
TOLLGATE_JWT_SECRET=$(head -c 48 /dev/urandom | base64) \
TOLLGATE_BOOTSTRAP_ADMIN_EMAIL=$ADMIN_EMAIL TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD=$ADMIN_PASSWORD \
TOLLGATE_MIGRATE_ON_START=false TOLLGATE_ADMIN_PORT=$ADMIN_PORT TOLLGATE_BIND_HOST=127.0.0.1 \
TOLLGATE_DB_POOL_SIZE=4 \
  start_bg admin "$WORK/admin.log" "$ROOT/bin/tollgate" admin >/dev/null
ADMIN=http://127.0.0.1:$ADMIN_PORT/api/v1
wait_for "admin on $ADMIN_PORT" 120 curl -fsS "$ADMIN/health"

api() {  # api METHOD PATH [JSON]: prints the body; fails loudly on an error status
  local method=$1 path=$2 data=${3:-} code
  code=$(curl -sS -o "$WORK/api.out" -w '%{http_code}' -X "$method" "$ADMIN$path" \
    ${TOKEN:+-H "Authorization: Bearer $TOKEN"} -H 'Content-Type: application/json' ${data:+-d "$data"})
  [[ $code == 2* ]] || { cat "$WORK/api.out" >&2; die "$method $path answered $code"; }
  cat "$WORK/api.out"
}

TOKEN=
TOKEN=$(api POST /auth/token "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" | jq -r .access_token)
api POST /tenants '{"slug":"bench","name":"Bench",
  "plan":{"rate_per_second":1000000,"burst":10000000,"quota_period":"month"}}' >/dev/null
api POST /tenants/bench/services "{\"name\":\"orders\",\"language\":\"$([[ $UPSTREAM_KIND == hyper ]] && echo rust || echo other)\",
  \"protocol\":\"http1\",\"targets\":[{\"url\":\"http://127.0.0.1:$UPSTREAM_PORT\",\"weight\":1}],
  \"connect_timeout_ms\":1000,\"read_timeout_ms\":5000,\"retries\":1}" >/dev/null
api POST /tenants/bench/routes '{"name":"orders","service":"orders","hosts":[],"paths":["/bench"],
  "methods":["GET"],"strip_prefix":true,"auth":"api-key"}' >/dev/null
KEY=$(api POST /tenants/bench/api-keys '{"name":"wrk"}' | jq -r .key)
[[ $KEY == tg_* ]] || die "no API key from the admin API"
stop_pid admin "$(pid_of admin)"   # not needed while measuring; frees its CPU

# ---------------------------------------------------------------------------------------------------------------
# 5. nginx reverse proxy and the gateway node
# ---------------------------------------------------------------------------------------------------------------
PROXY_CONF=$WORK/nginx-proxy/nginx.conf
nginx_conf_head proxy "$NGINX_WORKERS" >"$WORK/nginx-proxy.tmp"
mv "$WORK/nginx-proxy.tmp" "$PROXY_CONF"
if [[ $NGINX_ACCESS_LOG == on ]]; then
  NGINX_LOG_LINE="access_log $WORK/nginx-proxy/access.log;"
else
  NGINX_LOG_LINE="access_log off;"
fi
cat >>"$PROXY_CONF" <<EOF
http {
  $NGINX_LOG_LINE
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx-proxy;
  proxy_temp_path $WORK/nginx-proxy;
  fastcgi_temp_path $WORK/nginx-proxy;
  uwsgi_temp_path $WORK/nginx-proxy;
  scgi_temp_path $WORK/nginx-proxy;
  upstream bench_upstream {
    server 127.0.0.1:$UPSTREAM_PORT;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
start_nginx "$PROXY_CONF"
proxy_pids() { nginx_pids "$PROXY_CONF"; }

# Access log to a file, as an operator would set it up (TOLLGATE_ACCESS_LOG=<file>: bare JSON lines, appended).
TOLLGATE_GATEWAY_PORT=$GATEWAY_PORT TOLLGATE_MGMT_PORT=$MGMT_PORT TOLLGATE_BIND_HOST=127.0.0.1 \
TOLLGATE_NODE_ID=bench-gw-1 TOLLGATE_SNAPSHOT_FILE=$WORK/gateway-snapshot.json TOLLGATE_DB_POOL_SIZE=4 \
TOLLGATE_ACCESS_LOG=$WORK/gateway-access.log TOLLGATE_JAVA_OPTS="$GATEWAY_JAVA_OPTS" \
  start_bg gateway "$WORK/gateway.log" "$ROOT/bin/tollgate" gateway >/dev/null
GATEWAY_PID=$(pid_of gateway)
wait_for "gateway readiness on $MGMT_PORT" 120 curl -fsS "http://127.0.0.1:$MGMT_PORT/health/ready"

DIRECT_URL=http://127.0.0.1:$UPSTREAM_PORT$REQUEST_PATH
NGINX_URL=http://127.0.0.1:$NGINX_PORT$REQUEST_PATH
GATEWAY_URL=http://127.0.0.1:$GATEWAY_PORT/bench$REQUEST_PATH
wait_for "gateway route with the key" 15 curl -fsS -H "X-API-Key: $KEY" "$GATEWAY_URL"
for url in "$DIRECT_URL" "$NGINX_URL" "$GATEWAY_URL"; do
  body=$(curl -fsS -H "X-API-Key: $KEY" "$url")
  [[ $body == "$EXPECTED_BODY" ]] || die "$url answered '$body'"
done
code=$(curl -sS -o /dev/null -w '%{http_code}' "$GATEWAY_URL")
[[ $code == 401 ]] || die "the gateway route answered $code without a key (expected 401)"

if [[ ${BENCH_HOLD:-0} == 1 ]]; then
  echo "direct  $DIRECT_URL (upstream pids: $(upstream_pids))"
  echo "nginx   $NGINX_URL (pids: $(proxy_pids))"
  echo "gateway $GATEWAY_URL (pid $GATEWAY_PID, management http://127.0.0.1:$MGMT_PORT)"
  echo "key     X-API-Key: $KEY"
  echo "work    $WORK"
  echo "holding; Ctrl-C (or kill $$) stops everything"
  while true; do
    sleep 3600 &
    PIDS+=("sleep=$!")
    wait $!   # a plain foreground sleep would hold the traps back until it ends
  done
fi

# ---------------------------------------------------------------------------------------------------------------
# 6. Measure
# ---------------------------------------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() {  # utime+stime (ticks) summed over the given pids
  local total=0 pid fields
  for pid in "$@"; do
    # the comm field may hold spaces: take what follows its closing parenthesis
    fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    read -r -a f <<<"$fields"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

thread_ticks() {  # per-thread utime+stime of PID, one "name ticks" line per thread (names as in /proc: 15 chars)
  local task comm fields
  for task in /proc/"$1"/task/*; do
    comm=$(cat "$task/comm" 2>/dev/null) || continue
    fields=$(sed 's/^.*) //' "$task/stat" 2>/dev/null) || continue
    read -r -a f <<<"$fields"
    printf '%s\t%s\t%d\n' "${task##*/}" "$comm" $((f[11] + f[12]))
  done
}


declare -A URL=([direct]=$DIRECT_URL [nginx]=$NGINX_URL [gateway]=$GATEWAY_URL)
declare -A RPS P50 P99 CPU
WARNINGS=()
run_wrk() {  # run_wrk TARGET DURATION OUTFILE
  wrk -t"$THREADS" -c"$CONNS" -d"$2" --latency -H "X-API-Key: $KEY" "${URL[$1]}" >"$3" 2>&1 \
    || { cat "$3" >&2; die "wrk against $1 failed"; }
}

measure() {  # measure TARGET ROUND
  local target=$1 round=$2 out=$WORK/wrk-$1-$2.txt pids before after requests errors
  case $target in
    direct) pids=$(upstream_pids) ;;
    nginx) pids=$(proxy_pids) ;;
    gateway) pids=$GATEWAY_PID ;;
  esac
  [[ $target != gateway ]] || thread_ticks "$GATEWAY_PID" >"$WORK/threads-before-$round"
  # shellcheck disable=SC2086
  before=$(cpu_ticks $pids)
  run_wrk "$target" "$DURATION" "$out"
  # shellcheck disable=SC2086
  after=$(cpu_ticks $pids)
  if [[ $target == gateway ]]; then
    thread_ticks "$GATEWAY_PID" >"$WORK/threads-after-$round"
    # CPU ticks per thread group (digits and '#n' dropped from the name), summed over the rounds
    awk -F'\t' 'NR == FNR { before[$1] = $3; next }
      { name = $2; gsub(/[#-]?[0-9]+$/, "", name); gsub(/-[0-9]+-/, "-N-", name); t[name] += $3 - before[$1] }
      END { for (n in t) if (t[n] > 0) printf "%s\t%d\n", n, t[n] }' \
      "$WORK/threads-before-$round" "$WORK/threads-after-$round" >>"$WORK/thread-groups"
    GATEWAY_REQUESTS=$(( ${GATEWAY_REQUESTS:-0} + $(awk '/requests in/ {print $1}' "$out") ))
  fi
  requests=$(awk '/requests in/ {print $1}' "$out")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $NF} /Socket errors/ {print}' "$out")
  if [[ -n $errors ]]; then
    errors=$(tr '\n' ' ' <<<"$errors")
    log "bench: WARNING: $target round $round had errors: $errors"
    WARNINGS+=("$target round $round: $errors")
  fi
  RPS[$target,$round]=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$out")
  P50[$target,$round]=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  P99[$target,$round]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  CPU[$target,$round]=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" \
    'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
  printf '  round %d  %-8s %9s req/s   p50 %8.3f ms   p99 %8.3f ms   %6s us CPU/req   (load %s)\n' \
    "$round" "$target" "${RPS[$target,$round]}" "${P50[$target,$round]}" "${P99[$target,$round]}" \
    "${CPU[$target,$round]}" "$(cut -d' ' -f1-3 /proc/loadavg)"
}


echo "gateway overhead benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared with whatever else runs"
echo "  wrk -t$THREADS -c$CONNS -d$DURATION --latency, $ROUNDS interleaved rounds (order rotates), GET with X-API-Key;"
echo "  warm-up: wrk $GATEWAY_WARMUP on the gateway, $WARMUP on direct and nginx"
echo "  upstream: $UPSTREAM_DESC"
echo "  nginx:    $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), worker_processes $NGINX_WORKERS, keepalive 64 to the upstream, access log $NGINX_ACCESS_LOG"
echo "  gateway:  bin/tollgate gateway on $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 1p), JVM options '${GATEWAY_JAVA_OPTS}'"
echo "            route /bench (api-key, strip prefix), plan 1,000,000 req/s (burst 10,000,000), metrics on,"
echo "            access log: one JSON line per request to a file (TOLLGATE_ACCESS_LOG, flushed per batch)"
echo "  CPU/req: user+system CPU of the process under test (direct: upstream; nginx: master+workers; gateway: JVM)"
echo "           divided by the requests wrk completed; the upstream's own CPU is not in the proxies' figures"

for target in "${TARGETS[@]}"; do
  run_wrk "$target" "$([[ $target == gateway ]] && echo "$GATEWAY_WARMUP" || echo "$WARMUP")" "$WORK/warmup-$target.txt"
done
if [[ -n ${BENCH_JFR:-} ]]; then
  read -r -a jfr_options <<<"$JFR_OPTIONS"
  "$JAVA_HOME/bin/jcmd" "$GATEWAY_PID" JFR.start name=bench "${jfr_options[@]}" filename="$BENCH_JFR" >/dev/null
fi

N=${#TARGETS[@]}
for ((round = 1; round <= ROUNDS; round++)); do
  for ((k = 0; k < N; k++)); do
    measure "${TARGETS[(round - 1 + k) % N]}" "$round"
  done
done

if [[ -n ${BENCH_JFR:-} ]]; then
  "$JAVA_HOME/bin/jcmd" "$GATEWAY_PID" JFR.stop name=bench >/dev/null
  echo "  JFR recording of the measured rounds: $BENCH_JFR"
fi

declare -A MED_RPS MED_P50 MED_P99 MED_CPU
echo
echo "median of $ROUNDS rounds:"
printf '  %-8s %10s %12s %12s %12s\n' target "req/s" "p50 ms" "p99 ms" "CPU us/req"
for target in "${TARGETS[@]}"; do
  r=() a=() b=() c=()
  for ((round = 1; round <= ROUNDS; round++)); do
    r+=("${RPS[$target,$round]}"); a+=("${P50[$target,$round]}"); b+=("${P99[$target,$round]}")
    c+=("${CPU[$target,$round]}")
  done
  MED_RPS[$target]=$(median "${r[@]}"); MED_P50[$target]=$(median "${a[@]}")
  MED_P99[$target]=$(median "${b[@]}"); MED_CPU[$target]=$(median "${c[@]}")
  printf '  %-8s %10.0f %12.3f %12.3f %12.1f\n' "$target" "${MED_RPS[$target]}" "${MED_P50[$target]}" \
    "${MED_P99[$target]}" "${MED_CPU[$target]}"
done

# Recording really happened: one access-log line per request, none dropped.
sleep 1.5   # the access-log thread catches up
lines=$(wc -l <"$WORK/gateway-access.log")
dropped=$(curl -fsS "http://127.0.0.1:$MGMT_PORT/metrics" | awk '/^tollgate_access_log_dropped_total/ {print $2}')
for w in ${WARNINGS[@]+"${WARNINGS[@]}"}; do echo "  WARNING (figures of that run are suspect): $w"; done
sent=$(cat "$WORK"/warmup-gateway.txt "$WORK"/wrk-gateway-*.txt 2>/dev/null | awk '/requests in/ { n += $1 } END { print n + 0 }')
echo "  gateway recording: $lines access-log lines in a file for >= $sent requests sent by wrk;" \
  "${dropped:-?} dropped (tollgate_access_log_dropped_total)"

if [[ -s $WORK/thread-groups ]]; then
  echo
  echo "gateway JVM CPU by thread (all measured rounds, /proc/<pid>/task/*/stat; us per request):"
  awk -F'\t' -v hz="$CLK_TCK" -v n="$GATEWAY_REQUESTS" '{ t[$1] += $2; all += $2 }
    END { for (k in t) printf "  %-22s %8.1f us/req  %5.1f%%\n", k, t[k] * 1e6 / hz / n, 100 * t[k] / all }' \
    "$WORK/thread-groups" | awk '{ print $(NF - 2) "\t" $0 }' | sort -g -r | cut -f2- | head -12
fi

if [[ " ${TARGETS[*]} " != *" direct "* || " ${TARGETS[*]} " != *" nginx "* || " ${TARGETS[*]} " != *" gateway "* ]]; then
  exit 0   # ratios need all three
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "ratios (medians):"
printf '  gateway/nginx    throughput %5sx   p99 %5sx   CPU/req %5sx\n' \
  "$(ratio "${MED_RPS[gateway]}" "${MED_RPS[nginx]}")" "$(ratio "${MED_P99[gateway]}" "${MED_P99[nginx]}")" \
  "$(ratio "${MED_CPU[gateway]}" "${MED_CPU[nginx]}")"
printf '  gateway/direct   throughput %5sx   p99 %5sx\n' \
  "$(ratio "${MED_RPS[gateway]}" "${MED_RPS[direct]}")" "$(ratio "${MED_P99[gateway]}" "${MED_P99[direct]}")"
printf '  nginx/direct     throughput %5sx   p99 %5sx\n' \
  "$(ratio "${MED_RPS[nginx]}" "${MED_RPS[direct]}")" "$(ratio "${MED_P99[nginx]}" "${MED_P99[direct]}")"
tput_ok=$(awk -v g="${MED_RPS[gateway]}" -v n="${MED_RPS[nginx]}" 'BEGIN { print (g >= 0.7 * n) ? "met" : "NOT met" }')
p99_ok=$(awk -v g="${MED_P99[gateway]}" -v n="${MED_P99[nginx]}" 'BEGIN { print (g <= n) ? "met" : "NOT met" }')
echo "  target (issue 3): throughput >= 0.7x nginx: $tput_ok; p99 no worse than nginx: $p99_ok"

