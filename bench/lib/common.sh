# Shared helpers of the bench/ scripts (sourced; bash). The same approach as bench/gateway-overhead/run.sh:
# every process started is tracked by pid and stopped by a trap, own databases are dropped, work folder removed.
#
# The sourcing script sets WORK (a mktemp -d folder) and DBS (databases it created, dropped at exit) before
# starting anything, and may define bench_extra_cleanup.
export PATH="$PATH:/usr/sbin:/sbin"
PIDS=()           # name=pid
NGINX_CONFS=()    # nginx configs whose master we started
DBS=()            # databases to drop at exit
KEEP=${TOLLGATE_BENCH_KEEP:-0}

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

stop_pid() {  # stop_pid NAME PID: TERM, wait up to 10 s, then KILL
  local name=$1 pid=$2 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "bench: $name ($pid) did not stop on TERM, killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

bench_cleanup() {
  local rc=$? entry i conf pidfile master db
  trap - EXIT INT TERM
  if declare -F bench_extra_cleanup >/dev/null; then bench_extra_cleanup || true; fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    entry=${PIDS[i]}
    stop_pid "${entry%%=*}" "${entry#*=}"
  done
  for conf in ${NGINX_CONFS[@]+"${NGINX_CONFS[@]}"}; do
    pidfile=$(sed -n 's/^pid \(.*\);$/\1/p' "$conf")
    master=$(cat "$pidfile" 2>/dev/null || true)
    [[ -n $master ]] && stop_pid nginx "$master"
  done
  if [[ $KEEP == 1 ]]; then
    log "bench: kept the databases ${DBS[*]:-} and the work folder $WORK"
  else
    for db in ${DBS[@]+"${DBS[@]}"}; do
      PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres \
        -c "drop database if exists $db with (force)" >/dev/null 2>&1 || log "bench: could not drop $db"
    done
    [[ -n ${WORK:-} && -d $WORK ]] && rm -rf "$WORK"
  fi
  exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_bg() {  # start_bg NAME LOGFILE COMMAND...: starts COMMAND in the background and tracks its pid
  local name=$1 out=$2; shift 2
  "$@" >"$out" 2>&1 &
  PIDS+=("$name=$!")
}

pid_of() {  # pid_of NAME
  local entry
  for entry in "${PIDS[@]}"; do
    [[ ${entry%%=*} == "$1" ]] && { echo "${entry#*=}"; return; }
  done
}

wait_for() {  # wait_for WHAT SECONDS COMMAND...: retries COMMAND every 0.2 s
  local what=$1 secs=$2 i; shift 2
  for ((i = 0; i < secs * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$what not ready after ${secs}s"
}

free_port() {  # a TCP port nothing listens on now (and that this run has not handed out yet)
  local port
  while true; do
    port=$((20000 + RANDOM % 12000))   # below the ephemeral range (32768+)
    [[ " ${TAKEN_PORTS:-} " == *" $port "* ]] && continue
    if ! ss -Htln "sport = :$port" | grep -q .; then
      TAKEN_PORTS="${TAKEN_PORTS:-} $port"
      echo "$port"
      return
    fi
  done
}

APT_UPDATED=0
apt_install() {  # apt_install [COMMAND:]PACKAGE...: installs the packages not installed yet (or whose command is missing)
  local missing=() p
  for p in "$@"; do
    if [[ $p == *:* ]]; then
      command -v "${p%%:*}" >/dev/null 2>&1 || missing+=("${p#*:}")
    else
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    fi
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || die "needs these apt packages: ${missing[*]} (run as root, or install them)"
  log "bench: installing ${missing[*]} (apt)"
  if [[ $APT_UPDATED == 0 ]]; then
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

new_db() {  # new_db NAME [TEMPLATE]: (re)creates a database of this run; dropped at exit
  local db=$1 template=${2:-}
  PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres \
    -c "drop database if exists $db with (force)" >/dev/null
  psql -q -h 127.0.0.1 -U postgres -c "create database $db${template:+ template $template}" >/dev/null
  DBS+=("$db")
}

# A fresh, migrated database NAME for this run (TOLLGATE_DB_* exported for what starts next) and an admin on PORT with
# a bootstrap operator whose token is in TOKEN; ADMIN is its API base. Use api() to configure it as an operator would.
start_admin() {  # start_admin DB PORT
  local db=$1 port=$2 email=bench-admin@example.com password
  new_db "$db"
  export TOLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/$db" TOLLGATE_DB_USER=postgres TOLLGATE_DB_PASSWORD=
  unset TOLLGATE_JAVA_OPTS
  "$ROOT/bin/tollgate" migrate >"$WORK/migrate.log" 2>&1 || { tail -30 "$WORK/migrate.log" >&2; die "migrate failed"; }
  password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  TOLLGATE_JWT_SECRET=$(head -c 48 /dev/urandom | base64) \
  TOLLGATE_BOOTSTRAP_ADMIN_EMAIL=$email TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD=$password \
  TOLLGATE_MIGRATE_ON_START=false TOLLGATE_ADMIN_PORT=$port TOLLGATE_BIND_HOST=127.0.0.1 TOLLGATE_DB_POOL_SIZE=4 \
    start_bg admin "$WORK/admin.log" "$ROOT/bin/tollgate" admin
  ADMIN=http://127.0.0.1:$port/api/v1
  wait_for "admin on $port" 120 curl -fsS "$ADMIN/health"
  TOKEN=
  TOKEN=$(api POST /auth/token "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -r .access_token)
}

api() {  # api METHOD PATH [JSON]: the admin's answer body (ADMIN, TOKEN from start_admin); dies on an error status
  local code
  code=$(curl -sS -o "$WORK/api.out" -w '%{http_code}' -X "$1" "$ADMIN$2" ${TOKEN:+-H "Authorization: Bearer $TOKEN"} \
    -H 'Content-Type: application/json' ${3:+-d "$3"})
  [[ $code == 2* ]] || { cat "$WORK/api.out" >&2; die "$1 $2 answered $code"; }
  cat "$WORK/api.out"
}

build_inventory() {  # builds examples/services/bin/rust-inventory when missing (cargo, Debian crates)
  local bin=$ROOT/examples/services/bin/rust-inventory
  if [[ ! -x $bin || -n $(find "$ROOT/examples/services/rust-inventory" -newer "$bin" -type f -print -quit) ]]; then
    [[ -x $HOME/.cargo/bin/cargo ]] && export PATH="$PATH:$HOME/.cargo/bin"
    log "bench: building rust-inventory (examples/services/build rust) ..."
    "$ROOT/examples/services/build" rust >"$WORK/inventory-build.log" 2>&1 || {
      tail -20 "$WORK/inventory-build.log" >&2; die "rust-inventory did not build"; }
  fi
  INVENTORY=$bin
}

build_tollgate() {
  "$ROOT/bin/tollgate" build >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; die "build failed"; }
}

# A JUL configuration for a gateway's other logs (timestamps); with FILE, the tollgate.access JUL logger writes bare
# JSON lines there, for a gateway started with TOLLGATE_ACCESS_LOG=jul. Prefer TOLLGATE_ACCESS_LOG=<file>|off.
gateway_logging() {  # gateway_logging OUT_PROPERTIES FILE|off
  local out=$1 file=$2
  if [[ $file == off ]]; then
    cat >"$out" <<EOF
handlers = java.util.logging.ConsoleHandler
.level = INFO
java.util.logging.ConsoleHandler.level = INFO
java.util.logging.SimpleFormatter.format = %1\$tFT%1\$tT.%1\$tL %4\$s %5\$s%6\$s%n
tollgate.access.level = OFF
tollgate.access.useParentHandlers = false
EOF
  else
    cat >"$out" <<EOF
handlers = java.util.logging.ConsoleHandler
.level = INFO
java.util.logging.ConsoleHandler.level = INFO
java.util.logging.SimpleFormatter.format = %5\$s%6\$s%n
tollgate.access.level = INFO
tollgate.access.useParentHandlers = false
tollgate.access.handlers = java.util.logging.FileHandler
java.util.logging.FileHandler.pattern = $file
java.util.logging.FileHandler.append = false
java.util.logging.FileHandler.limit = 0
java.util.logging.FileHandler.count = 1
java.util.logging.FileHandler.formatter = java.util.logging.SimpleFormatter
EOF
  fi
}

to_ms() {  # wrk latency (e.g. 812.00us, 1.23ms, 2.01s) in milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

machine_line() {
  echo "machine: $(nproc) cores, $(free -m | awk '/^Mem:/ {print $2}') MB RAM, kernel $(uname -r)," \
    "$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 1p), load $(cut -d' ' -f1-3 /proc/loadavg)"
}
