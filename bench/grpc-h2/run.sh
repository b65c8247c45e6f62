#!/usr/bin/env bash
# Benchmark: HTTP/2 and gRPC through a gateway node vs straight to the service. Prints figures; a benchmark, not a
# test (fails only when something is broken).
#
#   bench/grpc-h2/run.sh
#
# All with h2load (nghttp2), h2c prior knowledge, -t1 -c$BENCH_CONNECTIONS -m$BENCH_STREAMS, interleaved rounds:
#   grpc-direct   go-orders' gRPC port (grpc-go), unary tollgate.examples.orders.Orders/GetOrder, pre-framed body
#   grpc-gw       the same call through the gateway (service protocol grpc, route with an API key)
#   h2-direct     rust-inventory (hyper h2c), GET /healthz
#   h2-gw         the same through the gateway (client h2c -> gateway -> h2c upstream, protocol h2c)
#   h2-gw-h1up    the same through the gateway to a service with protocol http1 (client h2c, upstream HTTP/1.1)
# Each gRPC answer is checked once with curl first (grpc-status 0). Access log off; metrics on (cannot be switched
# off). Everything started is stopped and the database dropped at exit (trap).
#
# Settings: BENCH_ROUNDS=3 BENCH_DURATION=5 (seconds) BENCH_CONNECTIONS=8 BENCH_STREAMS=8 TOLLGATE_BENCH_KEEP=1
#   BENCH_HOLD=1   after the setup, print the URLs, the key, the pids and the database, then wait (Ctrl-C stops
#                  everything): for profiling by hand, or for a second node (another build) on the same database
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/tollgate-bench-grpc.XXXXXX)
chmod 755 "$WORK"
# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"

ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_DURATION:-5}
CONNS=${BENCH_CONNECTIONS:-8}
STREAMS=${BENCH_STREAMS:-8}
DB=tollgate_bench_grpc

apt_install h2load:nghttp2-client curl:curl jq:jq psql:postgresql-client ss:iproute2
# shellcheck source=bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
tollgate_select_jdk >/dev/null
build_tollgate
build_inventory
"$ROOT/examples/services/build" go >"$WORK/go-build.log" 2>&1 || { tail -20 "$WORK/go-build.log" >&2; die "go-orders did not build"; }

GO_HTTP=$(free_port); GO_GRPC=$(free_port); INV=$(free_port); GW=$(free_port); MG=$(free_port); ADMIN_PORT=$(free_port)
start_bg orders "$WORK/orders.log" "$ROOT/examples/services/bin/go-orders" -addr "127.0.0.1:$GO_HTTP" -grpc-addr "127.0.0.1:$GO_GRPC"
start_bg inventory "$WORK/inventory.log" "$INVENTORY" --addr "127.0.0.1:$INV"
wait_for "rust-inventory" 10 curl -fsS "http://127.0.0.1:$INV/healthz"
wait_for "go-orders" 10 curl -fsS "http://127.0.0.1:$GO_HTTP/healthz"

# GetOrderRequest{id: 1} = 08 01, framed: not compressed, length 2
printf '\x00\x00\x00\x00\x02\x08\x01' >"$WORK/get-order.bin"

start_admin "$DB" "$ADMIN_PORT"
api POST /tenants '{"slug":"bench","name":"Bench","plan":{"rate_per_second":1000000,"burst":10000000}}' >/dev/null
api POST /tenants/bench/services "{\"name\":\"orders-grpc\",\"language\":\"go\",\"protocol\":\"grpc\",
  \"targets\":[{\"url\":\"http://127.0.0.1:$GO_GRPC\",\"weight\":1}],\"connect_timeout_ms\":1000,\"read_timeout_ms\":5000}" >/dev/null
api POST /tenants/bench/services "{\"name\":\"inventory-h2\",\"language\":\"rust\",\"protocol\":\"h2c\",
  \"targets\":[{\"url\":\"http://127.0.0.1:$INV\",\"weight\":1}],\"connect_timeout_ms\":1000,\"read_timeout_ms\":5000}" >/dev/null
api POST /tenants/bench/services "{\"name\":\"inventory-h1\",\"language\":\"rust\",\"protocol\":\"http1\",
  \"targets\":[{\"url\":\"http://127.0.0.1:$INV\",\"weight\":1}],\"connect_timeout_ms\":1000,\"read_timeout_ms\":5000}" >/dev/null
api POST /tenants/bench/routes '{"name":"grpc","service":"orders-grpc","paths":["/tollgate.examples.orders.Orders"],"auth":"api-key"}' >/dev/null
api POST /tenants/bench/routes '{"name":"h2","service":"inventory-h2","paths":["/h2"],"strip_prefix":true,"auth":"api-key"}' >/dev/null
api POST /tenants/bench/routes '{"name":"h1","service":"inventory-h1","paths":["/h1"],"strip_prefix":true,"auth":"api-key"}' >/dev/null
KEY=$(api POST /tenants/bench/api-keys '{"name":"h2load"}' | jq -r .key)
[[ $KEY == tg_* ]] || die "no API key from the admin API"
stop_pid admin "$(pid_of admin)"

TOLLGATE_GATEWAY_PORT=$GW TOLLGATE_MGMT_PORT=$MG TOLLGATE_BIND_HOST=127.0.0.1 TOLLGATE_NODE_ID=bench-grpc \
TOLLGATE_DB_POOL_SIZE=2 TOLLGATE_ACCESS_LOG=off \
  start_bg gateway "$WORK/gateway.log" "$ROOT/bin/tollgate" gateway
wait_for "gateway" 120 curl -fsS "http://127.0.0.1:$MG/health/ready"

GRPC_PATH=/tollgate.examples.orders.Orders/GetOrder
grpc_ok() {  # grpc_ok URL [KEY HEADER]: one call with curl; grpc-status 0 in the answer's trailers or headers
  curl -sS --http2-prior-knowledge -D - -o /dev/null -H 'content-type: application/grpc' -H 'te: trailers' \
    "$@" --data-binary @"$WORK/get-order.bin" | grep -qi '^grpc-status: 0'
}
wait_for "gRPC through the gateway" 15 grpc_ok "http://127.0.0.1:$GW$GRPC_PATH" -H "x-api-key: $KEY"
grpc_ok "http://127.0.0.1:$GO_GRPC$GRPC_PATH" || die "direct gRPC call did not end with grpc-status 0"
wait_for "h2c through the gateway" 15 curl -fsS --http2-prior-knowledge -H "X-API-Key: $KEY" "http://127.0.0.1:$GW/h2/healthz"

if [[ ${BENCH_HOLD:-0} == 1 ]]; then
  echo "grpc    direct http://127.0.0.1:$GO_GRPC$GRPC_PATH  gateway http://127.0.0.1:$GW$GRPC_PATH (body $WORK/get-order.bin)"
  echo "h2      direct http://127.0.0.1:$INV/healthz  gateway http://127.0.0.1:$GW/h2/healthz, /h1/healthz"
  echo "gateway pid $(pid_of gateway), management http://127.0.0.1:$MG"
  echo "key     x-api-key: $KEY"
  echo "db      $TOLLGATE_DB_URL"
  echo "work    $WORK"
  echo "holding; Ctrl-C (or kill $$) stops everything"
  while true; do
    sleep 3600 &
    PIDS+=("sleep=$!")
    wait $!   # a plain foreground sleep would hold the traps back until it ends
  done
fi

declare -A URL=(
  [grpc-direct]=http://127.0.0.1:$GO_GRPC$GRPC_PATH [grpc-gw]=http://127.0.0.1:$GW$GRPC_PATH
  [h2-direct]=http://127.0.0.1:$INV/healthz [h2-gw]=http://127.0.0.1:$GW/h2/healthz
  [h2-gw-h1up]=http://127.0.0.1:$GW/h1/healthz)
TARGETS=(grpc-direct grpc-gw h2-direct h2-gw h2-gw-h1up)
run_h2load() {  # run_h2load TARGET SECONDS OUT
  local t=$1 args=(-t1 -c"$CONNS" -m"$STREAMS" -D "$2" -H "x-api-key: $KEY")
  if [[ $t == grpc-* ]]; then
    args+=(-d "$WORK/get-order.bin" -H 'content-type: application/grpc' -H 'te: trailers')
  fi
  h2load "${args[@]}" "${URL[$t]}" >"$3" 2>&1
}

log "warming up (10 s through the gateway, 2 s direct)"
for t in "${TARGETS[@]}"; do
  if [[ $t == *gw* ]]; then run_h2load "$t" 10 /dev/null || true; else run_h2load "$t" 2 /dev/null || true; fi
done

echo "=== HTTP/2 and gRPC through a gateway node vs direct ($(date -u +%FT%TZ))"
machine_line
echo "h2load -t1 -c$CONNS -m$STREAMS -D $SECS, h2c prior knowledge, $ROUNDS interleaved rounds; gRPC: unary GetOrder, 7-byte framed body"
declare -A R
for ((r = 1; r <= ROUNDS; r++)); do
  for ((k = 0; k < ${#TARGETS[@]}; k++)); do
    t=${TARGETS[(r - 1 + k) % ${#TARGETS[@]}]}
    out=$WORK/$t-$r.txt
    run_h2load "$t" "$SECS" "$out" || die "h2load $t failed: $(tail -3 "$out")"
    R[$t,$r]=$(awk '/^finished in/ {gsub(",", "", $4); printf "%.0f", $4}' "$out")
    printf '  round %d  %-11s %8s req/s  %s  (%s)\n' "$r" "$t" "${R[$t,$r]}" \
      "$(awk '/^status codes:/ {print $3 " 2xx, " $9 " 5xx"}' "$out")" \
      "$(awk '/^time for request:/ {print "mean " $6 ", max " $5}' "$out")"
  done
done
echo "median req/s and ratio to direct:"
declare -A M
for t in "${TARGETS[@]}"; do
  vals=(); for ((r = 1; r <= ROUNDS; r++)); do vals+=("${R[$t,$r]}"); done
  M[$t]=$(median "${vals[@]}")
done
printf '  gRPC unary   direct %8s   gateway %8s   ratio %s\n' "${M[grpc-direct]}" "${M[grpc-gw]}" "$(ratio "${M[grpc-gw]}" "${M[grpc-direct]}")"
printf '  HTTP/2 GET   direct %8s   gateway %8s   ratio %s   (gateway to an http1 service: %s, ratio %s)\n' \
  "${M[h2-direct]}" "${M[h2-gw]}" "$(ratio "${M[h2-gw]}" "${M[h2-direct]}")" "${M[h2-gw-h1up]}" \
  "$(ratio "${M[h2-gw-h1up]}" "${M[h2-direct]}")"
echo "upstream connections the gateway holds open now: go gRPC $(ss -Htn state established "dport = :$GO_GRPC" | wc -l), rust $(ss -Htn state established "dport = :$INV" | wc -l)"
