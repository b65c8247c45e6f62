#!/usr/bin/env bash
# Benchmark: what TLS costs on the gateway's HTTPS listener. One gateway node, the built-in demo upstream behind
# it (HTTP/1.1), one route with an API key; the same request over four client-side protocols. Prints figures; a
# benchmark, not a test (fails only when something is broken).
#
#   bench/tls/run.sh
#
# All with h2load (nghttp2), -t1 -c$BENCH_CONNECTIONS, interleaved rounds, connections kept open (so this measures
# the record layer, not handshakes):
#   h1-plain   HTTP/1.1 on the plain port (h2load --h1)
#   h2c        HTTP/2 prior knowledge on the plain port, -m$BENCH_STREAMS
#   h1-tls     HTTP/1.1 over TLS on the HTTPS port (ALPN http/1.1, h2load --h1)
#   h2-tls     HTTP/2 over TLS on the HTTPS port (ALPN h2), -m$BENCH_STREAMS
# The certificate is an EC P-256 one made with openssl for this run. Access log off.
#
# Settings: BENCH_ROUNDS=3 BENCH_DURATION=5 (seconds) BENCH_CONNECTIONS=8 BENCH_STREAMS=8 TOLLGATE_BENCH_KEEP=1
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/tollgate-bench-tls.XXXXXX)
chmod 755 "$WORK"
# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"

ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_DURATION:-5}
CONNS=${BENCH_CONNECTIONS:-8}
STREAMS=${BENCH_STREAMS:-8}
DB=tollgate_bench_tls

apt_install h2load:nghttp2-client curl:curl jq:jq psql:postgresql-client openssl:openssl
# shellcheck source=bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
tollgate_select_jdk >/dev/null
build_tollgate

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/tls.key" -out "$WORK/tls.pem" \
  -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >"$WORK/openssl.log" 2>&1 \
  || { cat "$WORK/openssl.log" >&2; die "openssl could not make a certificate"; }

UP=$(free_port); GW=$(free_port); MG=$(free_port); TLS=$(free_port); ADMIN_PORT=$(free_port)
TOLLGATE_DEMO_UPSTREAM_PORT=$UP TOLLGATE_BIND_HOST=127.0.0.1 \
  start_bg upstream "$WORK/upstream.log" "$ROOT/bin/tollgate" demo-upstream
wait_for "demo upstream" 60 curl -fsS -o /dev/null "http://127.0.0.1:$UP/"

start_admin "$DB" "$ADMIN_PORT"
api POST /tenants '{"slug":"bench","name":"Bench","plan":{"rate_per_second":1000000,"burst":10000000}}' >/dev/null
api POST /tenants/bench/services "{\"name\":\"demo\",\"targets\":[{\"url\":\"http://127.0.0.1:$UP\",\"weight\":1}],
  \"connect_timeout_ms\":1000,\"read_timeout_ms\":5000}" >/dev/null
api POST /tenants/bench/routes '{"name":"demo","service":"demo","paths":["/demo"],"auth":"api-key"}' >/dev/null
KEY=$(api POST /tenants/bench/api-keys '{"name":"h2load"}' | jq -r .key)
[[ $KEY == tg_* ]] || die "no API key from the admin API"
stop_pid admin "$(pid_of admin)"

TOLLGATE_GATEWAY_PORT=$GW TOLLGATE_MGMT_PORT=$MG TOLLGATE_TLS_PORT=$TLS TOLLGATE_TLS_CERT=$WORK/tls.pem \
TOLLGATE_TLS_KEY=$WORK/tls.key TOLLGATE_BIND_HOST=127.0.0.1 TOLLGATE_NODE_ID=bench-tls TOLLGATE_DB_POOL_SIZE=2 \
TOLLGATE_ACCESS_LOG=off \
  start_bg gateway "$WORK/gateway.log" "$ROOT/bin/tollgate" gateway
wait_for "gateway" 120 curl -fsS "http://127.0.0.1:$MG/health/ready"
wait_for "the route over h2c" 15 curl -fsS -o /dev/null --http2-prior-knowledge -H "X-API-Key: $KEY" \
  "http://127.0.0.1:$GW/demo/"
curl -fsS -o /dev/null --http2 --cacert "$WORK/tls.pem" -H "X-API-Key: $KEY" \
  "https://localhost:$TLS/demo/" || die "the route over HTTPS did not answer"

declare -A URL=([h1-plain]=http://127.0.0.1:$GW/demo/ [h2c]=http://127.0.0.1:$GW/demo/
  [h1-tls]=https://127.0.0.1:$TLS/demo/ [h2-tls]=https://127.0.0.1:$TLS/demo/)
TARGETS=(h1-plain h2c h1-tls h2-tls)
run_h2load() {  # run_h2load TARGET SECONDS OUT
  local t=$1 args=(-t1 -c"$CONNS" -D "$2" -H "x-api-key: $KEY")
  if [[ $t == h1-* ]]; then args+=(--h1 -m1); else args+=(-m"$STREAMS"); fi
  h2load "${args[@]}" "${URL[$t]}" >"$3" 2>&1
}

log "warming up (5 s per target)"
for t in "${TARGETS[@]}"; do run_h2load "$t" 5 /dev/null || true; done

echo "=== the gateway's HTTPS listener vs its plain port ($(date -u +%FT%TZ))"
machine_line
echo "h2load -t1 -c$CONNS -D $SECS (h1: -m1, h2: -m$STREAMS), demo upstream over HTTP/1.1, API key route, $ROUNDS interleaved rounds"
declare -A R
for ((r = 1; r <= ROUNDS; r++)); do
  for ((k = 0; k < ${#TARGETS[@]}; k++)); do
    t=${TARGETS[(r - 1 + k) % ${#TARGETS[@]}]}
    out=$WORK/$t-$r.txt
    run_h2load "$t" "$SECS" "$out" || die "h2load $t failed: $(tail -3 "$out")"
    R[$t,$r]=$(awk '/^finished in/ {gsub(",", "", $4); printf "%.0f", $4}' "$out")
    printf '  round %d  %-9s %8s req/s  %s  (%s)  %s\n' "$r" "$t" "${R[$t,$r]}" \
      "$(awk '/^status codes:/ {print $3 " 2xx, " $7 " 4xx, " $9 " 5xx"}' "$out")" \
      "$(awk '/^time for request:/ {print "mean " $6 ", max " $5}' "$out")" \
      "$(awk -F': ' '/^Application protocol/ {print "ALPN " $2} /^Cipher:/ {print $2}' "$out" | paste -sd' ')"
  done
done
echo "median req/s and ratio TLS / plain:"
declare -A M
for t in "${TARGETS[@]}"; do
  vals=(); for ((r = 1; r <= ROUNDS; r++)); do vals+=("${R[$t,$r]}"); done
  M[$t]=$(median "${vals[@]}")
done
printf '  HTTP/1.1   plain %8s   TLS %8s   ratio %s\n' "${M[h1-plain]}" "${M[h1-tls]}" "$(ratio "${M[h1-tls]}" "${M[h1-plain]}")"
printf '  HTTP/2     h2c   %8s   TLS %8s   ratio %s\n' "${M[h2c]}" "${M[h2-tls]}" "$(ratio "${M[h2-tls]}" "${M[h2c]}")"
