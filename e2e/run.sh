#!/usr/bin/env bash
# End-to-end suite: Tollgate in front of real Go and Rust services, everything as real processes.
#
#   PostgreSQL (a database of its own) + admin + two gateway nodes + go-orders + rust-inventory
#
# Everything is configured through the admin REST API only, as an operator's script would (curl + jq). Checks:
# routing to each service through each node, API key auth, a tenant's rate limit shared across both nodes,
# X-Request-Id and traceparent arriving at the Go and Rust services, config propagation to both nodes, the response
# cache on both nodes and its purge through the API, an upstream killed mid-run, the declarative config CLI (export,
# diff, apply reaching both nodes), and that the audit export lists every change this script made (and the chain
# verifies).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"
# shellcheck source=bin/lib/jdk.sh
source bin/lib/jdk.sh
tollgate_select_jdk

PASS=0
FAIL=0
WORK=$(mktemp -d)
DB="tollgate_e2e_$$"
PIDS=()

log() { echo "e2e: $*"; }
ok() { PASS=$((PASS + 1)); echo "  ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "  FAIL $*"; }
check() {  # check DESCRIPTION ACTUAL EXPECTED
  if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1: expected '$3', got '$2'"; fi
}

cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql -q -h 127.0.0.1 -U postgres -c "drop database if exists $DB with (force)" >/dev/null 2>&1 || true
  if ((FAIL > 0 || status != 0)); then
    for f in "$WORK"/*.log; do echo "----- $(basename "$f") (last 30 lines)"; tail -30 "$f"; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {  # wait_http URL SECONDS
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "e2e: $1 did not come up in $2 s" >&2; return 1; }
    sleep 0.2
  done
}
start() {  # start NAME COMMAND... (logs to $WORK/NAME.log)
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_${name//-/_}=$!"
}

log "building Tollgate and the example services"
./bin/tollgate build >/dev/null
examples/services/build >/dev/null

ADMIN_PORT=$(free_port); GW1=$(free_port); GW2=$(free_port); MG1=$(free_port); MG2=$(free_port)
GO_PORT=$(free_port); RUST_PORT=$(free_port)
psql -q -h 127.0.0.1 -U postgres -c "create database $DB" >/dev/null
export TOLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" TOLLGATE_DB_USER=postgres TOLLGATE_DB_PASSWORD=
export TOLLGATE_BIND_HOST=127.0.0.1 TOLLGATE_JWT_SECRET="e2e-secret-$(head -c 24 /dev/urandom | base64)"
export TOLLGATE_BOOTSTRAP_ADMIN_EMAIL=operator@e2e.test TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD="e2e-$(head -c 12 /dev/urandom | base64)"
export TOLLGATE_HEARTBEAT_MS=500

log "starting go-orders :$GO_PORT, rust-inventory :$RUST_PORT, admin :$ADMIN_PORT, gateways :$GW1 and :$GW2"
start go-orders examples/services/bin/go-orders -addr "127.0.0.1:$GO_PORT"
start rust-inventory examples/services/bin/rust-inventory --addr "127.0.0.1:$RUST_PORT"
TOLLGATE_ADMIN_PORT=$ADMIN_PORT start admin ./bin/tollgate admin
wait_http "http://127.0.0.1:$ADMIN_PORT/api/v1/health" 60
TOLLGATE_GATEWAY_PORT=$GW1 TOLLGATE_MGMT_PORT=$MG1 TOLLGATE_NODE_ID=e2e-gw-1 TOLLGATE_SNAPSHOT_FILE="$WORK/gw1.json" \
  start gateway-1 ./bin/tollgate gateway
TOLLGATE_GATEWAY_PORT=$GW2 TOLLGATE_MGMT_PORT=$MG2 TOLLGATE_NODE_ID=e2e-gw-2 TOLLGATE_SNAPSHOT_FILE="$WORK/gw2.json" \
  start gateway-2 ./bin/tollgate gateway
wait_http "http://127.0.0.1:$MG1/health/ready" 60
wait_http "http://127.0.0.1:$MG2/health/ready" 60
wait_http "http://127.0.0.1:$GO_PORT/healthz" 10
wait_http "http://127.0.0.1:$RUST_PORT/healthz" 10

API="http://127.0.0.1:$ADMIN_PORT/api/v1"
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EXPECTED=()   # "action target_id" of every change this script makes
api() {  # api METHOD PATH [JSON] -> body on stdout; fails on a non-2xx answer
  local method=$1 path=$2 body=${3:-}
  local args=(-sS -X "$method" -H "Authorization: Bearer $TOKEN" -w '\n%{http_code}')
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' -d "$body")
  local out code
  out=$(curl "${args[@]}" "$API$path")
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  if [[ $code != 2* ]]; then echo "e2e: $method $path answered $code: $out" >&2; return 1; fi
  printf '%s' "$out"
}
change() {  # change ACTION METHOD PATH JSON: the body lands in $LAST; remembers the change for the audit check
  local action=$1; shift
  LAST=$(api "$@")
  EXPECTED+=("$action $(jq -r '.id' <<<"$LAST")")
}

log "configuring through the admin REST API"
TOKEN=$(curl -fsS -X POST "$API/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$TOLLGATE_BOOTSTRAP_ADMIN_EMAIL\",\"password\":\"$TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD\"}" | jq -r .access_token)
change tenant.create POST /tenants '{"slug":"shop","name":"Shop","plan":{"rate_per_second":1000,"burst":2000}}'
change tenant.create POST /tenants '{"slug":"tiny","name":"Tiny","plan":{"rate_per_second":1,"burst":10}}'
change service.create POST /tenants/shop/services "{\"name\":\"orders\",\"language\":\"go\",\"targets\":[{\"url\":\"http://127.0.0.1:$GO_PORT\"}],\"read_timeout_ms\":3000}"
change service.create POST /tenants/shop/services "{\"name\":\"inventory\",\"language\":\"rust\",\"targets\":[{\"url\":\"http://127.0.0.1:$RUST_PORT\"}],\"read_timeout_ms\":3000}"
change service.create POST /tenants/tiny/services "{\"name\":\"inventory\",\"language\":\"rust\",\"targets\":[{\"url\":\"http://127.0.0.1:$RUST_PORT\"}]}"
change route.create POST /tenants/shop/routes '{"name":"orders","service":"orders","paths":["/orders"]}'
change route.create POST /tenants/shop/routes '{"name":"items","service":"inventory","paths":["/items"]}'
change route.create POST /tenants/shop/routes '{"name":"go-echo","service":"orders","paths":["/go"],"strip_prefix":true}'
change route.create POST /tenants/shop/routes '{"name":"rust-echo","service":"inventory","paths":["/rust"],"strip_prefix":true}'
change route.create POST /tenants/tiny/routes '{"name":"tiny","service":"inventory","paths":["/tiny"],"strip_prefix":true}'
change api-key.create POST /tenants/shop/api-keys '{"name":"e2e"}'
SHOP_KEY=$(jq -r .key <<<"$LAST")
change api-key.create POST /tenants/tiny/api-keys '{"name":"tiny"}'
TINY_KEY=$(jq -r .key <<<"$LAST")

G1="http://127.0.0.1:$GW1"
G2="http://127.0.0.1:$GW2"
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
wait_status() {  # wait_status EXPECTED SECONDS CURL_ARGS... -> prints the seconds it took
  local want=$1 limit=$2; shift 2
  local start=$EPOCHREALTIME
  local deadline=$((SECONDS + limit))
  until [[ $(status "$@") == "$want" ]]; do
    ((SECONDS < deadline)) || { echo "timeout"; return 0; }
    sleep 0.05
  done
  python3 -c "print(round($EPOCHREALTIME - $start, 2))"
}

log "routing through both nodes to both services"
wait_status 200 10 -H "X-API-Key: $SHOP_KEY" "$G1/items" >/dev/null
wait_status 200 10 -H "X-API-Key: $SHOP_KEY" "$G2/orders" >/dev/null
for g in "$G1" "$G2"; do
  check "GET /orders/1 via $g reaches go-orders" "$(curl -s -H "X-API-Key: $SHOP_KEY" "$g/orders/1" | jq -r .order.item)" espresso
  check "GET /items/1 via $g reaches rust-inventory" "$(curl -s -H "X-API-Key: $SHOP_KEY" "$g/items/1" | jq -r .item.name)" bolts
done

log "API key authentication"
check "no key -> 401" "$(status "$G1/orders")" 401
check "unknown key -> 401" "$(status -H "X-API-Key: tg_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" "$G1/orders")" 401
check "another tenant's key -> 403" "$(status -H "X-API-Key: $TINY_KEY" "$G2/orders")" 403
check "Authorization: Bearer works too" "$(status -H "Authorization: Bearer $SHOP_KEY" "$G2/items")" 200

log "X-Request-Id and traceparent reach the services"
TP="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
for svc in go rust; do
  body=$(curl -s -H "X-API-Key: $SHOP_KEY" -H "X-Request-Id: e2e-$svc-1" -H "traceparent: $TP" "$G1/$svc/echo?a=1&a=2&flag")
  check "$svc sees the request id" "$(jq -r .request_id <<<"$body")" "e2e-$svc-1"
  check "$svc sees the trace id" "$(jq -r .traceparent <<<"$body" | cut -d- -f2)" "4bf92f3577b34da6a3ce929d0e0e4736"
  check "$svc sees the raw query" "$(jq -r .raw_query <<<"$body")" "a=1&a=2&flag"
  check "$svc does not see the API key" "$(jq -r '.headers["x-api-key"] // "none"' <<<"$body")" none
  hdr=$(curl -s -D - -o "$WORK/echo.json" -H "X-API-Key: $SHOP_KEY" "$G2/$svc/echo" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-request-id"{print $2}')
  check "$svc sees the id the gateway generated" "$(jq -r .request_id "$WORK/echo.json")" "$hdr"
done

log "config propagation to both nodes"
change route.create POST /tenants/shop/routes '{"name":"late","service":"inventory","paths":["/late"],"strip_prefix":true}'
t1=$(wait_status 200 5 -H "X-API-Key: $SHOP_KEY" "$G1/late/healthz")
t2=$(wait_status 200 5 -H "X-API-Key: $SHOP_KEY" "$G2/late/healthz")
[[ $t1 != timeout && $t2 != timeout ]] && ok "a new route is served by both nodes (after ${t1}s and ${t2}s)" || bad "new route not served: $t1 / $t2"
KEY_ID=$(api GET /tenants/shop/api-keys | jq -r '.items[] | select(.name=="e2e") | .id')
api DELETE "/tenants/shop/api-keys/$KEY_ID" >/dev/null
EXPECTED+=("api-key.revoke $KEY_ID")
t1=$(wait_status 401 5 -H "X-API-Key: $SHOP_KEY" "$G1/orders")
t2=$(wait_status 401 5 -H "X-API-Key: $SHOP_KEY" "$G2/orders")
[[ $t1 != timeout && $t2 != timeout ]] && ok "a revoked key is refused by both nodes (after ${t1}s and ${t2}s)" || bad "revoked key still accepted: $t1 / $t2"
change api-key.create POST /tenants/shop/api-keys '{"name":"e2e-2"}'
SHOP_KEY=$(jq -r .key <<<"$LAST")
wait_status 200 5 -H "X-API-Key: $SHOP_KEY" "$G1/orders" >/dev/null
wait_status 200 5 -H "X-API-Key: $SHOP_KEY" "$G2/orders" >/dev/null

log "response cache on both nodes, purged through the admin API"
change route.update PATCH /tenants/shop/routes/go-echo '{"cache_enabled":true,"cache_per_consumer":true,"cache_ttl_seconds":300}'
ECHO_ID=$(jq -r .id <<<"$LAST")
xcache() { curl -s -D - -o "$WORK/cached.json" -H "X-API-Key: $SHOP_KEY" "$1/go/echo?b=2&a=1" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache"{print $2}'; }
wait_xcache() {  # wait_xcache NODE WANT SECONDS -> prints the seconds it took, or "timeout"
  local start=$EPOCHREALTIME deadline=$((SECONDS + $3))
  until [[ $(xcache "$1") == "$2" ]]; do
    ((SECONDS < deadline)) || { echo "timeout"; return 0; }
    sleep 0.05
  done
  python3 -c "print(round($EPOCHREALTIME - $start, 2))"
}
for g in "$G1" "$G2"; do
  [[ $(wait_xcache "$g" HIT 5) != timeout ]] && ok "$g caches /go/echo (X-Cache: HIT)" || bad "$g never answered a HIT"
  first=$(jq -r .request_id "$WORK/cached.json")
  xcache "$g" >/dev/null
  check "$g serves the same cached body again" "$(jq -r .request_id "$WORK/cached.json")" "$first"
done
PURGED=$(api POST /tenants/shop/routes/go-echo/cache/purge)
EXPECTED+=("route.cache.purge $(jq -r .route_id <<<"$PURGED")")
check "the purge names the route" "$(jq -r .route_id <<<"$PURGED")" "$ECHO_ID"
t1=$(wait_xcache "$G1" MISS 5)
t2=$(wait_xcache "$G2" MISS 5)
[[ $t1 != timeout && $t2 != timeout ]] && ok "a purge reaches both nodes (after ${t1}s and ${t2}s)" || bad "purge not applied: $t1 / $t2"

log "a tenant's rate limit is shared across both nodes (plan: burst 10, 1/s; no Redis)"
okc=0; limited=0; retry=""
for i in $(seq 1 30); do
  g=$G1; ((i % 2)) || g=$G2
  code=$(curl -s -D "$WORK/h" -o /dev/null -w '%{http_code}' -H "X-API-Key: $TINY_KEY" "$g/tiny/healthz")
  if [[ $code == 200 ]]; then okc=$((okc + 1)); elif [[ $code == 429 ]]; then limited=$((limited + 1));
    retry=$(tr -d '\r' <"$WORK/h" | awk -F': ' 'tolower($1)=="retry-after"{print $2}'); fi
done
if ((okc >= 10 && okc <= 13)); then ok "30 requests over two nodes: $okc allowed, $limited limited"; else bad "30 requests over two nodes: $okc allowed (want 10..13), $limited limited"; fi
[[ -n $retry ]] && ok "429 carries Retry-After ($retry)" || bad "429 without Retry-After"

log "an upstream killed mid-run"
kill "$PID_rust_inventory"; wait "$PID_rust_inventory" 2>/dev/null || true
check "rust-inventory down -> 502" "$(status -H "X-API-Key: $SHOP_KEY" "$G1/items/1")" 502
check "the 502 is a problem, not an upstream page" "$(curl -s -H "X-API-Key: $SHOP_KEY" "$G2/items/1" | jq -r .type)" "https://tollgate.dev/problems/upstream-unavailable"
check "go-orders still served" "$(status -H "X-API-Key: $SHOP_KEY" "$G2/orders/1")" 200
start rust-inventory examples/services/bin/rust-inventory --addr "127.0.0.1:$RUST_PORT"
wait_http "http://127.0.0.1:$RUST_PORT/healthz" 10
check "rust-inventory back -> 200" "$(wait_status 200 5 -H "X-API-Key: $SHOP_KEY" "$G1/items/1" | grep -c timeout || true)" 0

log "declarative config: bin/tollgate config export, diff and apply"
export TOLLGATE_TOKEN=$TOKEN TOLLGATE_SERVER="http://127.0.0.1:$ADMIN_PORT"
code=0; ./bin/tollgate config export --tenant shop -f "$WORK/shop.json" 2>"$WORK/config.log" || code=$?
check "config export exits 0" "$code" 0
code=0; ./bin/tollgate config diff -f "$WORK/shop.json" >>"$WORK/config.log" 2>&1 || code=$?
check "config diff of the export exits 0 (no changes)" "$code" 0
jq '.routes += [{"name":"orders-v2","service":"orders","paths":["/v2"],"strip_prefix":true}]' \
  "$WORK/shop.json" >"$WORK/shop-v2.json"
code=0; ./bin/tollgate config apply -f "$WORK/shop-v2.json" >"$WORK/apply.out" 2>>"$WORK/config.log" || code=$?
check "config apply of a new route exits 2 (applied)" "$code" 2
grep -q '^+ route orders-v2' "$WORK/apply.out" && ok "apply prints the planned route" || bad "apply output: $(cat "$WORK/apply.out")"
grep -q "$TOKEN" "$WORK/apply.out" "$WORK/config.log" && bad "the token was printed" || ok "the token is never printed"
for g in "$G1" "$G2"; do
  took=$(wait_status 200 5 -H "X-API-Key: $SHOP_KEY" "$g/v2/orders/1")
  [[ $took != timeout ]] && ok "applied route served by $g after ${took}s" || bad "applied route not served by $g"
done
code=0; ./bin/tollgate config diff -f "$WORK/shop-v2.json" >>"$WORK/config.log" 2>&1 || code=$?
check "config diff after the apply exits 0" "$code" 0
code=0; ./bin/tollgate config apply -f "$WORK/shop.json" --tenant tiny >>"$WORK/config.log" 2>&1 || code=$?
check "config apply of shop's document to tiny exits 1" "$code" 1
unset TOLLGATE_TOKEN

log "the audit trail lists every change this script made"
curl -fsS -H "Authorization: Bearer $TOKEN" "$API/audit-events/export?format=ndjson&from=$STARTED" >"$WORK/audit.ndjson"
missing=0
for e in "${EXPECTED[@]}"; do
  action=${e%% *}; target=${e#* }
  if [[ $(jq -s --arg a "$action" --arg t "$target" \
      'any(.[]; .action==$a and .target_id==$t and .actor_name=="operator@e2e.test")' "$WORK/audit.ndjson") != true ]]; then
    bad "audit export lacks $action $target"; missing=$((missing + 1))
  fi
done
((missing == 0)) && ok "audit export has all ${#EXPECTED[@]} changes, each by operator@e2e.test"
check "the audit chain verifies" "$(api GET /audit-events/verify | jq -r .ok)" true
check "GET /nodes shows both gateways" "$(api GET /nodes | jq '[.items[] | select(.id | startswith("e2e-gw-"))] | length')" 2

echo "e2e: $PASS passed, $FAIL failed"
((FAIL == 0))
