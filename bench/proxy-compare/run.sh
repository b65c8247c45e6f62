#!/usr/bin/env bash
# Benchmark: Tollgate vs direct vs nginx vs HAProxy in front of the example Rust service (examples/services
# rust-inventory, GET /healthz). Prints figures; a benchmark, not a test (fails only when something is broken).
#
#   bench/proxy-compare/run.sh
#
# HTTP/1.1 (wrk -t1 -c32, interleaved rounds whose order rotates), targets:
#   direct        rust-inventory itself
#   nginx         nginx reverse proxy (keep-alive upstream, access log off)
#   haproxy       HAProxy reverse proxy (http-reuse always, no log)
#   gw-plain      gateway node, route auth none                              (access log off)
#   gw-key        gateway node, route auth api-key                           (access log off)
#   gw-full       gateway node, api-key + a route rate limit + metrics + access log to a file
#                 (a second node on the same database, the only difference being its access log)
# HTTP/2 to the client side (h2load -t1 -c32 -m1, h2c prior knowledge), interleaved rounds:
#   direct (hyper h2c), nginx (listen ... http2, h2c), haproxy (bind ... proto h2), gw-key (the gateway's plain port
#   speaks h2c too; the API key route, access log off).
# Metrics cannot be switched off in the gateway; the tenant plan limit (1,000,000 req/s) is checked on every
# limited route. Everything stops and the database is dropped at exit (trap).
#
# Settings: BENCH_ROUNDS=3 BENCH_DURATION=5s BENCH_WARMUP=5s BENCH_GATEWAY_WARMUP=20s BENCH_CONNECTIONS=32
#           BENCH_H2=1 (0 skips HTTP/2)  TOLLGATE_BENCH_KEEP=1 (keep database and work folder)
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/tollgate-bench-proxy.XXXXXX)
chmod 755 "$WORK"
# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"

ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-5s}
WARMUP=${BENCH_WARMUP:-5s}
GATEWAY_WARMUP=${BENCH_GATEWAY_WARMUP:-20s}
CONNS=${BENCH_CONNECTIONS:-32}
H2=${BENCH_H2:-1}
DB=tollgate_bench_proxy
REQ=/healthz

apt_install wrk:wrk nginx:nginx haproxy:haproxy h2load:nghttp2-client curl:curl jq:jq psql:postgresql-client \
  ss:iproute2 pgrep:procps
# shellcheck source=bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
tollgate_select_jdk >/dev/null
build_tollgate
build_inventory

UP=$(free_port); NGX=$(free_port); NGX2=$(free_port); HAP=$(free_port); HAP2=$(free_port)
GWA=$(free_port); MGA=$(free_port); GWB=$(free_port); MGB=$(free_port); ADMIN_PORT=$(free_port)

start_bg inventory "$WORK/inventory.log" "$INVENTORY" --addr "127.0.0.1:$UP"
wait_for "rust-inventory" 10 curl -fsS "http://127.0.0.1:$UP/healthz"
EXPECTED=$(curl -fsS "http://127.0.0.1:$UP$REQ")

# --- nginx (h1 + h2c listeners), in the foreground of its tracked pid
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  upstream inv { server 127.0.0.1:$UP; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NGX;
    listen 127.0.0.1:$NGX2 http2;
    http2_max_requests 1000000;
    location / { proxy_pass http://inv; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
nginx -t -q -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2>"$WORK/nginx-test.log" || { cat "$WORK/nginx-test.log" >&2; die "nginx config refused"; }
start_bg nginx "$WORK/nginx.out" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"

# --- HAProxy (h1 + h2c binds), foreground (-db), 2 threads like nginx's 2 workers
cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 4096
  nbthread $(nproc)
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  http-reuse always
frontend fe
  bind 127.0.0.1:$HAP
  bind 127.0.0.1:$HAP2 proto h2
  default_backend be
backend be
  server inv 127.0.0.1:$UP maxconn 256
EOF
haproxy -c -q -f "$WORK/haproxy.cfg" || die "haproxy config refused"
start_bg haproxy "$WORK/haproxy.out" haproxy -db -f "$WORK/haproxy.cfg"

# --- database, admin (configuration through the REST API as an operator would; stopped before measuring)
start_admin "$DB" "$ADMIN_PORT"
api POST /tenants '{"slug":"bench","name":"Bench","plan":{"rate_per_second":1000000,"burst":10000000}}' >/dev/null
api POST /tenants/bench/services "{\"name\":\"inventory\",\"language\":\"rust\",\"protocol\":\"http1\",
  \"targets\":[{\"url\":\"http://127.0.0.1:$UP\",\"weight\":1}],\"connect_timeout_ms\":1000,\"read_timeout_ms\":5000}" >/dev/null
api POST /tenants/bench/routes '{"name":"plain","service":"inventory","paths":["/p"],"methods":["GET"],"strip_prefix":true,"auth":"none"}' >/dev/null
api POST /tenants/bench/routes '{"name":"key","service":"inventory","paths":["/k"],"methods":["GET"],"strip_prefix":true,"auth":"api-key"}' >/dev/null
api POST /tenants/bench/routes '{"name":"full","service":"inventory","paths":["/f"],"methods":["GET"],"strip_prefix":true,"auth":"api-key",
  "rate_per_second":500000,"burst":5000000}' >/dev/null
KEY=$(api POST /tenants/bench/api-keys '{"name":"wrk"}' | jq -r .key)
[[ $KEY == tg_* ]] || die "no API key from the admin API"
stop_pid admin "$(pid_of admin)"

# --- two gateway nodes on the same config: A without access log, B with the access log to a file
start_gateway() {  # start_gateway NAME PORT MGMT LOGGING
  TOLLGATE_GATEWAY_PORT=$2 TOLLGATE_MGMT_PORT=$3 TOLLGATE_BIND_HOST=127.0.0.1 TOLLGATE_NODE_ID=bench-$1 \
  TOLLGATE_DB_POOL_SIZE=2 TOLLGATE_ACCESS_LOG=$4 \
    start_bg "$1" "$WORK/$1.log" "$ROOT/bin/tollgate" gateway
}
start_gateway gwA "$GWA" "$MGA" off
start_gateway gwB "$GWB" "$MGB" "$WORK/access.log"
wait_for "gateway A" 120 curl -fsS "http://127.0.0.1:$MGA/health/ready"
wait_for "gateway B" 120 curl -fsS "http://127.0.0.1:$MGB/health/ready"

declare -A URL=(
  [direct]=http://127.0.0.1:$UP$REQ [nginx]=http://127.0.0.1:$NGX$REQ [haproxy]=http://127.0.0.1:$HAP$REQ
  [gw-plain]=http://127.0.0.1:$GWA/p$REQ [gw-key]=http://127.0.0.1:$GWA/k$REQ [gw-full]=http://127.0.0.1:$GWB/f$REQ)
TARGETS=(direct nginx haproxy gw-plain gw-key gw-full)
wait_for "gateway route" 15 curl -fsS -H "X-API-Key: $KEY" "${URL[gw-full]}"
for t in "${TARGETS[@]}"; do
  body=$(curl -fsS -H "X-API-Key: $KEY" "${URL[$t]}") || die "$t does not answer"
  [[ $body == "$EXPECTED" ]] || die "$t answered '$body'"
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "${URL[gw-key]}") == 401 ]] || die "gw-key answered without a key"
rl=$(curl -fsS -D - -o /dev/null -H "X-API-Key: $KEY" "${URL[gw-full]}" | grep -ci '^ratelimit-limit' || true)
((rl > 0)) || die "gw-full answered without RateLimit-Limit"

pids_of() {
  case $1 in
    direct) pid_of inventory ;;
    nginx) local m; m=$(pid_of nginx); echo "$m $(pgrep -P "$m" | tr '\n' ' ')" ;;
    haproxy) pid_of haproxy ;;
    gw-plain|gw-key) pid_of gwA ;;
    gw-full) pid_of gwB ;;
  esac
}
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    read -r -a f <<<"$fields"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

echo "proxy comparison — $(date -u '+%Y-%m-%d %H:%M UTC')"
machine_line
echo "  upstream: examples/services rust-inventory (hyper 0.14), GET $REQ ($(printf %s "$EXPECTED" | wc -c) bytes JSON)"
echo "  nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (workers auto, keepalive 64, access log off);" \
  "$(haproxy -v | sed -n '1s/ - https.*//p') (nbthread $(nproc), http-reuse always, no log)"
echo "  gateway: bin/tollgate gateway; gw-plain = route auth none, gw-key = api-key (both: node A, access log off);"
echo "           gw-full = api-key + route rate limit + metrics + access log to a file (node B)"
echo "  HTTP/1.1: wrk -t1 -c$CONNS -d$DURATION --latency, $ROUNDS interleaved rounds (order rotates);" \
  "warm-up wrk $GATEWAY_WARMUP per gateway target, $WARMUP others"
for t in "${TARGETS[@]}"; do
  w=$WARMUP; [[ $t == gw-* ]] && w=$GATEWAY_WARMUP
  wrk -t1 -c"$CONNS" -d"$w" -H "X-API-Key: $KEY" "${URL[$t]}" >"$WORK/warm-$t.txt" 2>&1 || die "wrk warm-up $t failed"
done

declare -A RPS P50 P99 CPU
WARN=()
measure() {  # measure TARGET ROUND
  local t=$1 r=$2 out=$WORK/wrk-$1-$2.txt pids before after n errs
  pids=$(pids_of "$t")
  # shellcheck disable=SC2086
  before=$(cpu_ticks $pids)
  wrk -t1 -c"$CONNS" -d"$DURATION" --latency -H "X-API-Key: $KEY" "${URL[$t]}" >"$out" 2>&1 || die "wrk $t failed"
  # shellcheck disable=SC2086
  after=$(cpu_ticks $pids)
  n=$(awk '/requests in/ {print $1}' "$out")
  errs=$(awk '/Non-2xx or 3xx responses/ {print $NF} /Socket errors/ {print}' "$out" | tr '\n' ' ')
  [[ -z $errs ]] || WARN+=("$t round $r: $errs")
  RPS[$t,$r]=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$out")
  P50[$t,$r]=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  P99[$t,$r]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  CPU[$t,$r]=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
  printf '  round %d  %-9s %8s req/s  p50 %8.3f ms  p99 %8.3f ms  %6s us CPU/req  (load %s)\n' "$r" "$t" \
    "${RPS[$t,$r]}" "${P50[$t,$r]}" "${P99[$t,$r]}" "${CPU[$t,$r]}" "$(cut -d' ' -f1 /proc/loadavg)"
}
N=${#TARGETS[@]}
for ((r = 1; r <= ROUNDS; r++)); do
  for ((k = 0; k < N; k++)); do measure "${TARGETS[(r - 1 + k) % N]}" "$r"; done
done

declare -A M_RPS M_P99
echo
echo "HTTP/1.1 medians of $ROUNDS rounds (ratios to direct and to nginx, from this run):"
printf '  %-9s %9s %9s %9s %10s %9s %9s %9s\n' target "req/s" "p50 ms" "p99 ms" "CPU us/req" "x direct" "x nginx" "p99 x ngx"
declare -A M_P50 M_CPU
for t in "${TARGETS[@]}"; do
  a=() b=() c=() d=()
  for ((r = 1; r <= ROUNDS; r++)); do a+=("${RPS[$t,$r]}"); b+=("${P50[$t,$r]}"); c+=("${P99[$t,$r]}"); d+=("${CPU[$t,$r]}"); done
  M_RPS[$t]=$(median "${a[@]}"); M_P99[$t]=$(median "${c[@]}"); M_P50[$t]=$(median "${b[@]}"); M_CPU[$t]=$(median "${d[@]}")
done
for t in "${TARGETS[@]}"; do
  printf '  %-9s %9.0f %9.3f %9.3f %10.1f %9s %9s %9s\n' "$t" "${M_RPS[$t]}" "${M_P50[$t]}" "${M_P99[$t]}" \
    "${M_CPU[$t]}" "$(ratio "${M_RPS[$t]}" "${M_RPS[direct]}")" "$(ratio "${M_RPS[$t]}" "${M_RPS[nginx]}")" \
    "$(ratio "${M_P99[$t]}" "${M_P99[nginx]}")"
done
sleep 1
echo "  gw-full access log: $(wc -l <"$WORK/access.log") lines;" \
  "dropped $(curl -fsS "http://127.0.0.1:$MGB/metrics" | awk '/^tollgate_access_log_dropped_total/ {print $2}')"
for w in ${WARN[@]+"${WARN[@]}"}; do echo "  WARNING: $w"; done

if [[ $H2 == 1 ]]; then
  declare -A H2URL=([direct]=http://127.0.0.1:$UP$REQ [nginx]=http://127.0.0.1:$NGX2$REQ [haproxy]=http://127.0.0.1:$HAP2$REQ
    [gw-key]=${URL[gw-key]})
  H2T=(direct nginx haproxy gw-key)
  secs=${DURATION%s}
  echo
  echo "HTTP/2 (h2c prior knowledge) client side: h2load -t1 -c$CONNS -m1 -D $secs --warm-up-time=1, $ROUNDS interleaved rounds;"
  echo "  the proxies speak HTTP/1.1 to the upstream (nginx cannot proxy h2; HAProxy backend left at h1)"
  declare -A HR HM
  for t in "${H2T[@]}"; do h2load -t1 -c"$CONNS" -m1 -D 3 -H "X-API-Key: $KEY" "${H2URL[$t]}" >/dev/null 2>&1 || true; done
  for ((r = 1; r <= ROUNDS; r++)); do
    for ((k = 0; k < ${#H2T[@]}; k++)); do
      t=${H2T[(r - 1 + k) % ${#H2T[@]}]}
      out=$WORK/h2-$t-$r.txt
      h2load -t1 -c"$CONNS" -m1 -D "$secs" --warm-up-time=1 -H "X-API-Key: $KEY" "${H2URL[$t]}" >"$out" 2>&1 || die "h2load $t failed: $(tail -3 "$out")"
      grep -q 'Application protocol: h2c' "$out" || die "h2load $t did not speak h2c: $(grep -i protocol "$out")"
      HR[$t,$r]=$(awk '/^finished in/ {gsub(",", "", $4); printf "%.0f", $4}' "$out")
      HM[$t,$r]=$(awk '/^time for request:/ {print "mean " $6 ", max " $5}' "$out")
      ok=$(awk '/^requests:/ {print $8 " ok, " $10 " failed"}' "$out")
      printf '  round %d  %-8s %8s req/s  latency %s  (%s; load %s)\n' "$r" "$t" "${HR[$t,$r]}" "${HM[$t,$r]}" "$ok" \
        "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
  declare -A M_H
  echo "  medians:"
  for t in "${H2T[@]}"; do
    a=(); for ((r = 1; r <= ROUNDS; r++)); do a+=("${HR[$t,$r]}"); done
    M_H[$t]=$(median "${a[@]}")
  done
  for t in "${H2T[@]}"; do
    printf '  %-9s %9.0f req/s   x direct %s   x nginx %s   (HTTP/1.1 wrk median %s req/s)\n' "$t" "${M_H[$t]}" \
      "$(ratio "${M_H[$t]}" "${M_H[direct]}")" "$(ratio "${M_H[$t]}" "${M_H[nginx]}")" "${M_RPS[$t]}"
  done
fi
