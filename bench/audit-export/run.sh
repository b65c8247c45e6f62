#!/usr/bin/env bash
# Benchmark: export and verify a 1,000,000-event audit trail with the JVM heap capped at 256 MB.
# Prints wall time and peak RSS of each step (GNU time). A benchmark, not a test: it asserts nothing.
#
#   bench/audit-export/run.sh [EVENTS]        (default 1000000)
#
# Uses PostgreSQL on 127.0.0.1:5432 (user postgres) and a database of its own, tollgate_bench_audit, which it
# drops and recreates; set TOLLGATE_BENCH_KEEP=1 to keep it afterwards.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
EVENTS=${1:-1000000}
DB=tollgate_bench_audit
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"; [[ ${TOLLGATE_BENCH_KEEP:-0} == 1 ]] || psql -q -h 127.0.0.1 -U postgres -c "drop database if exists $DB with (force)" >/dev/null' EXIT

# shellcheck source=bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
tollgate_select_jdk >/dev/null
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install -y time" >&2; exit 1; }
"$ROOT/bin/tollgate" build >/dev/null

psql -q -h 127.0.0.1 -U postgres -c "drop database if exists $DB with (force)" >/dev/null
psql -q -h 127.0.0.1 -U postgres -c "create database $DB" >/dev/null
export TOLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" TOLLGATE_DB_USER=postgres TOLLGATE_DB_PASSWORD=
"$ROOT/bin/tollgate" migrate >/dev/null 2>&1

# Every measured step runs with the heap capped at 256 MB.
export TOLLGATE_JAVA_OPTS="-Xmx256m -Xms64m"

measure() {  # measure LABEL COMMAND...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/time" "$@" >"$OUT/stdout" 2>"$OUT/stderr" || {
    echo "$label failed:" >&2; cat "$OUT/stderr" >&2; tail -5 "$OUT/stdout" >&2; exit 1; }
  read -r secs kb <"$OUT/time"
  printf '%-28s %9.1f s %9.0f MB peak RSS\n' "$label" "$secs" "$((kb / 1024))"
}

echo "audit trail benchmark: $EVENTS events, JVM -Xmx256m, $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 1p)"
export TOLLGATE_ALLOW_AUDIT_SEED=yes
measure "seed (not the target)" "$ROOT/bin/tollgate" audit seed --events "$EVENTS"
unset TOLLGATE_ALLOW_AUDIT_SEED
measure "export ndjson" "$ROOT/bin/tollgate" audit export --format ndjson --out "$OUT/trail.ndjson"
measure "export csv" "$ROOT/bin/tollgate" audit export --format csv --out "$OUT/trail.csv"
measure "verify (database)" "$ROOT/bin/tollgate" audit verify
grep -q '"ok" : true' "$OUT/stdout" || { echo "database chain did not verify:" >&2; cat "$OUT/stdout" >&2; exit 1; }
measure "verify --file (offline)" "$ROOT/bin/tollgate" audit verify --file "$OUT/trail.ndjson"
grep -q '"ok" : true' "$OUT/stdout" || { echo "exported file did not verify:" >&2; cat "$OUT/stdout" >&2; exit 1; }
printf '%-28s %9s\n' "ndjson size" "$(du -h "$OUT/trail.ndjson" | cut -f1)"
printf '%-28s %9s\n' "csv size" "$(du -h "$OUT/trail.csv" | cut -f1)"
printf '%-28s %9s\n' "events checked" "$(grep -o '"checked" : [0-9]*' "$OUT/stdout" | grep -o '[0-9]*$')"
