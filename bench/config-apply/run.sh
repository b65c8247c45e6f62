#!/usr/bin/env bash
# Benchmark: the declarative workflow on a large tenant. Prints figures; not a test.
#
#   bench/config-apply/run.sh
#
# Starts the admin (bin/tollgate admin) on a database of its own. For each size N in BENCH_SIZES (default
# "100 500 1000"), in a fresh tenant: a document with N routes over N/10 services and N/10 API keys is sent
# through POST /api/v1/tenants/{slug}/config, and it prints the wall time (client side, median of BENCH_RUNS where
# the step can repeat) of: the dry run that plans creating everything, the apply that creates everything, an
# export as YAML and as JSON (with the document's size), re-applying the export (no changes), an apply that
# changes 10% of the routes, and a prune that deletes half of the routes.
# Everything stops and the database is dropped at exit (trap).
#
# Settings: BENCH_SIZES="100 500 1000"  BENCH_RUNS=3  TOLLGATE_BENCH_KEEP=1
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/tollgate-bench-config.XXXXXX)
# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"
SIZES=${BENCH_SIZES:-100 500 1000}
RUNS=${BENCH_RUNS:-3}
DB=tollgate_bench_config

apt_install curl:curl psql:postgresql-client python3:python3
# shellcheck source=bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
tollgate_select_jdk >/dev/null
build_tollgate

ADMIN_PORT=$(free_port)
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

echo "declarative config apply — $(date -u '+%Y-%m-%d %H:%M UTC')"
machine_line
echo "  admin (bin/tollgate admin), PostgreSQL 127.0.0.1:5432; times are client wall clock, median of $RUNS where repeatable"

python3 - "$ADMIN_PORT" "$ADMIN_EMAIL" "$ADMIN_PASSWORD" "$RUNS" $SIZES <<'PY'
import http.client, json, statistics, sys, time
port, email, password, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sizes = [int(s) for s in sys.argv[5:]]
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
def call(method, path, body=None, token=None, ctype="application/json", accept=None, expect=200):
    h = {}
    if body is not None: h["Content-Type"] = ctype
    if token: h["Authorization"] = "Bearer " + token
    if accept: h["Accept"] = accept
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    t0 = time.monotonic()
    conn.request(method, "/api/v1" + path, data, h)
    r = conn.getresponse(); out = r.read()
    ms = (time.monotonic() - t0) * 1000
    if r.status != expect: sys.exit(f"{method} {path} answered {r.status}: {out[:400]!r}")
    return ms, out
token = json.loads(call("POST", "/auth/token", {"email": email, "password": password})[1])["access_token"]
def document(slug, n, retries=1):
    services = max(1, n // 10)
    return {"format": "tollgate.config/v1", "tenant": {"slug": slug},
            "services": [{"name": f"svc-{s}", "language": "go", "retries": retries,
                          "targets": [{"url": f"http://10.0.{s // 250}.{s % 250 + 1}:8080", "weight": 1}]}
                         for s in range(services)],
            "routes": [{"name": f"r-{i}", "service": f"svc-{i % services}", "paths": [f"/{slug}/r-{i}"],
                        "methods": ["GET", "POST"], "strip_prefix": True, "rate_per_second": 100 + i % 7}
                       for i in range(n)],
            "api_keys": [{"name": f"key-{k}", "allowed_routes": [f"r-{k}", f"r-{(k + 1) % n}"]}
                         for k in range(max(1, n // 10))]}
print(f"  {'routes':>6s} {'services':>8s} {'keys':>5s} | {'dry run':>8s} {'apply':>8s} {'export y':>8s} {'export j':>8s} "
      f"{'yaml KiB':>8s} {'re-apply':>8s} {'10% upd':>8s} {'prune ½':>8s}   (ms)")
for n in sizes:
    slug = f"bench-{n}-{int(time.time()) % 100000}"
    call("POST", "/tenants", {"slug": slug, "name": slug, "plan": {"rate_per_second": 1000, "burst": 2000}},
         token, expect=201)
    doc = document(slug, n)
    dry = statistics.median(call("POST", f"/tenants/{slug}/config?dry_run=true", doc, token)[0] for _ in range(runs))
    apply_ms, out = call("POST", f"/tenants/{slug}/config", doc, token)
    plan = json.loads(out)
    assert plan["summary"]["create"] == n + 2 * max(1, n // 10), plan["summary"]
    ey = [call("GET", f"/tenants/{slug}/config", token=token, accept="application/yaml") for _ in range(runs)]
    ej = [call("GET", f"/tenants/{slug}/config", token=token, accept="application/json") for _ in range(runs)]
    exported = ey[0][1]
    reapply = [call("POST", f"/tenants/{slug}/config", exported, token, ctype="application/yaml") for _ in range(runs)]
    assert all(not json.loads(r[1])["changed"] for r in reapply)
    changed = document(slug, n)
    for r in changed["routes"][: max(1, n // 10)]:
        r["rate_per_second"] = 5000
    upd_ms, out = call("POST", f"/tenants/{slug}/config", changed, token)
    assert json.loads(out)["summary"]["update"] == max(1, n // 10)
    half = dict(changed); half["routes"] = changed["routes"][: n // 2]
    for k in half["api_keys"]:
        k["allowed_routes"] = [r for r in k["allowed_routes"] if int(r[2:]) < n // 2]
    prune_ms, out = call("POST", f"/tenants/{slug}/config?prune=true", half, token)
    print(f"  {n:6d} {max(1, n // 10):8d} {max(1, n // 10):5d} | {dry:8.0f} {apply_ms:8.0f} "
          f"{statistics.median(e[0] for e in ey):8.0f} {statistics.median(e[0] for e in ej):8.0f} "
          f"{len(exported) / 1024:8.0f} {statistics.median(r[0] for r in reapply):8.0f} {upd_ms:8.0f} {prune_ms:8.0f}")
PY
echo "  load $(cut -d' ' -f1-3 /proc/loadavg)"
