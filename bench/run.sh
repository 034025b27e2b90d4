#!/usr/bin/env bash
# Benchmarks forgehook's GitHub intake against three peers with wrk, on loopback only:
#   forgehook  build/forgehook serve (answers 200 once the delivery is committed durably)
#   octokit    @octokit/webhooks createNodeMiddleware on Node's http server (bench/peers/)
#   webhook    adnanh/webhook, payload-hmac-sha256 rule, runs /bin/true and waits for it
#   nginx      `return 200`, the ceiling of this machine's HTTP stack
#   floor      build/forgehook-floor: Beast and the same HMAC code as forgehook, storing nothing
#              (bench/floor/): what forgehook's HTTP and verification cost before the store
# Every request is a signed GitHub delivery with a fresh X-GitHub-Delivery (bench/wrk/github.lua).
# forgehook is measured twice per payload: as it runs (pipeline on) and as intake only (pipeline off).
# Then an overload run (many connections) for forgehook and webhook's fire-and-forget mode, and the
# processing benchmark (bench/processing.mjs: backlog drain, accept-to-projection latency) and the
# live streams benchmark (bench/live.mjs: latency to WebSocket clients, memory per idle client,
# fan-out, ingest with clients connected), and the reconciliation benchmark (bench/reconcile.mjs:
# time and forge API calls to reconcile a hook with 10,000 deliveries in its log), and, with
# BENCH_COMMANDS (on by default), rule-triggered commands against adnanh/webhook (bench/commands.mjs).
# Writes bench/results/latest.{json,md,log}, processing.{json,md}, live.{json,md}, reconcile.{json,md}
# commands.{json,md} and postgres.{json,md}. Never builds anything.
#
# Environment (all optional):
#   BENCH_DURATION=10s            wrk -d per run (wrk syntax: 3s, 1m)
#   BENCH_TARGETS=forgehook,octokit,webhook,nginx,floor
#   BENCH_PAYLOADS=21k,8k,25k     which example bodies (see bench/lib/payloads.mjs)
#   BENCH_THREADS=2 BENCH_CONNECTIONS=32
#   BENCH_ROUNDS=3                steady runs per target and payload, the targets taking turns within
#                                 a round; the report compares forgehook's worst round with each
#                                 peer's best (the issue's measure on this shared machine)
#   BENCH_OVERLOAD=1              0 skips the overload runs
#   BENCH_PROCESSING=1            0 skips bench/processing.mjs (its own knobs: BENCH_PROCESSING_*)
#   BENCH_LIVE=1                  0 skips bench/live.mjs (its own knobs: BENCH_LIVE_*)
#   BENCH_RECONCILE=1             0 skips bench/reconcile.mjs (its own knobs: BENCH_RECONCILE_*)
#   BENCH_COMMANDS=1              0 skips bench/commands.mjs (its own knobs: BENCH_COMMANDS_*)
#   BENCH_POSTGRES=1              0 skips bench/postgres.mjs (its own knobs: BENCH_POSTGRES_*)
#   BENCH_OVERLOAD_CONNECTIONS=512
#   BENCH_OVERLOAD_MAX_PENDING=64 forgehook's intake.max_pending for its second overload run, below
#                                 the connection count so the backlog can fill (a closed-loop client
#                                 never has more requests in flight than connections)
#   BENCH_FORGEHOOK_BIN=build/forgehook
#   BENCH_FLOOR_BIN=build/forgehook-floor
#   BENCH_RESULTS_DIR=bench/results
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10s}
TARGETS=${BENCH_TARGETS:-forgehook,octokit,webhook,nginx,floor}
PAYLOADS=${BENCH_PAYLOADS:-21k,8k,25k}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
ROUNDS=${BENCH_ROUNDS:-3}
OVERLOAD=${BENCH_OVERLOAD:-1}
PROCESSING=${BENCH_PROCESSING:-1}
LIVE=${BENCH_LIVE:-1}
RECONCILE=${BENCH_RECONCILE:-1}
COMMANDS=${BENCH_COMMANDS:-1}
POSTGRES=${BENCH_POSTGRES:-1}
OVERLOAD_CONNECTIONS=${BENCH_OVERLOAD_CONNECTIONS:-512}
OVERLOAD_MAX_PENDING=${BENCH_OVERLOAD_MAX_PENDING:-64}
FORGEHOOK_BIN=${BENCH_FORGEHOOK_BIN:-build/forgehook}
FLOOR_BIN=${BENCH_FLOOR_BIN:-build/forgehook-floor}
RESULTS=${BENCH_RESULTS_DIR:-bench/results}
WRK_TIMEOUT=10s        # GitHub's own limit: a slower answer is a failed delivery
READY_DEADLINE=20      # seconds a server may take to start answering
STOP_DEADLINE=10       # seconds a server may take to stop before SIGKILL
HOOK_ID=424242

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in wrk node curl timeout; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh bench)"
done
[ -d node_modules/@octokit/webhooks-examples ] || die "node_modules missing (scripts/install-deps.sh bench)"
[[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]] || die "BENCH_ROUNDS must be 1-99"
case "$DURATION" in *[0-9]s|*[0-9]m|*[0-9]) ;; *) die "BENCH_DURATION must look like 10s or 1m" ;; esac
has_target() { [[ ",$TARGETS," == *",$1,"* ]]; }

# Seconds in a wrk duration, for the outer `timeout` that bounds every load run.
duration_seconds() {
  local d=$1
  case "$d" in *m) echo $(( ${d%m} * 60 )) ;; *s) echo "${d%s}" ;; *) echo "$d" ;; esac
}
RUN_LIMIT=$(( $(duration_seconds "$DURATION") + 30 ))

# One run at a time: a second concurrent run would share CPU and corrupt both results.
mkdir -p "$RESULTS/tmp"
exec 9>"$RESULTS/tmp/.lock"
command -v flock >/dev/null && { flock -n 9 || die "another bench/run.sh is running"; }
rm -rf "$RESULTS"/tmp/run.*   # leftovers of a killed run (we hold the lock, so none is live)
WORK=$(mktemp -d "$RESULTS/tmp/run.XXXXXX")
WORK=$(cd "$WORK" && pwd)
RECORDS=$WORK/records.jsonl
RAWLOG=$WORK/raw.log
: >"$RECORDS"; : >"$RAWLOG"

# --- process bookkeeping: everything we start is stopped on exit, by pid -------------------------
declare -a LIVE_PIDS=()
stop_pid() {
  local pid=$1 sig=${2:-TERM} waited=0
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && [ $waited -lt $((STOP_DEADLINE * 10)) ]; do
    sleep 0.1; waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIG$sig for ${STOP_DEADLINE}s, killing"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${LIVE_PIDS[@]}"; do stop_pid "$pid"; done
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- helpers -----------------------------------------------------------------------------------
json_str() { # JSON string literal of $1 (no control characters expected besides newlines/tabs)
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

# A port that is free right now: bind port 0, read what the kernel chose, release it.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

vm_hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# Polls until URL answers (with status WANT if given, else any), the server dies, or the deadline.
wait_http() {
  local url=$1 pid=$2 name=$3 want=${4:-} deadline=$((SECONDS + READY_DEADLINE))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || { log "$name exited during start-up"; return 1; }
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null) || true
    if [ -n "$code" ] && [ "$code" != 000 ] && { [ -z "$want" ] || [ "$code" = "$want" ]; }; then
      return 0
    fi
    sleep 0.1
  done
  log "$name not answering at $url after ${READY_DEADLINE}s"; return 1
}

# Waits for a server's address file ("127.0.0.1:PORT"), written once it listens.
wait_addr_file() {
  local file=$1 pid=$2 name=$3 deadline=$((SECONDS + READY_DEADLINE))
  while [ $SECONDS -lt $deadline ]; do
    [ -s "$file" ] && { head -n1 "$file" | tr -d '[:space:]'; return 0; }
    kill -0 "$pid" 2>/dev/null || { log "$name exited during start-up"; return 1; }
    sleep 0.1
  done
  log "$name wrote no $file within ${READY_DEADLINE}s"; return 1
}

# One signed POST; prints the status code (0: no answer). Args: url signature payload_id delivery_id
post_once() {
  local url=$1 sig=$2 id=$3 delivery=$4 code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST \
    -H 'Content-Type: application/json' -H "X-GitHub-Event: ${P_EVENT[$id]}" \
    -H "X-GitHub-Hook-ID: $HOOK_ID" -H "X-GitHub-Delivery: $delivery" \
    -H "X-Hub-Signature-256: $sig" --data-binary "@$WORK/payloads/$id.json" "$url") || true
  echo $((10#${code:-0}))
}

# Keeps a generated peer config for the report, with the secret and temp paths masked.
save_config() {
  mkdir -p "$WORK/configs"
  sed -e "s|$SECRET|\$SECRET|g" -e "s|listen 127.0.0.1:[0-9]*|listen 127.0.0.1:<free port>|" -e "s|$WORK/[a-z-]*\.[0-9]*|<tmpdir>|g" "$2" >"$WORK/configs/$1"
}

# --- servers: each start_X sets SRV_PID, SRV_URL, SRV_CMD, SRV_PIDS_RSS (pids summed for RSS) -----
SRV_PID=; SRV_URL=; SRV_CMD=; SRV_RSS_NOTE=; SRV_LOG=; SRV_DATA=
start_forgehook() { # [max_pending] [pipeline.enabled, default true]
  SRV_DATA=
  local dir=$WORK/forgehook.$RANDOM$RANDOM
  mkdir -p "$dir/data"
  SRV_LOG=$dir/server.log
  local -a envs=(FORGEHOOK_GITHUB_SECRET="$SECRET" FORGEHOOK_LOG_LEVEL=warn)
  [ -n "${1:-}" ] && envs+=(FORGEHOOK_INTAKE_MAX_PENDING="$1")
  [ -n "${2:-}" ] && envs+=(FORGEHOOK_PIPELINE_ENABLED="$2")
  env "${envs[@]}" "$FORGEHOOK_BIN" serve --listen 127.0.0.1:0 --data-dir "$dir/data" >"$SRV_LOG" 2>&1 &
  SRV_PID=$!; LIVE_PIDS+=("$SRV_PID")
  SRV_CMD="FORGEHOOK_GITHUB_SECRET=\$SECRET FORGEHOOK_LOG_LEVEL=warn${1:+ FORGEHOOK_INTAKE_MAX_PENDING=$1}${2:+ FORGEHOOK_PIPELINE_ENABLED=$2} $FORGEHOOK_BIN serve --listen 127.0.0.1:0 --data-dir <tmpdir>"
  SRV_RSS_NOTE="forgehook process"
  local addr
  addr=$(wait_addr_file "$dir/data/forgehook.addr" "$SRV_PID" forgehook) || return 1
  wait_http "http://$addr/readyz" "$SRV_PID" forgehook 200 || return 1
  SRV_URL="http://$addr/webhooks/github"
  SRV_DATA=$dir/data
}

# Starts a peer that reads its secret from the environment variable `secret_var` and writes
# "127.0.0.1:PORT" to the file given as its last argument once listening.
# Args: name secret_var rss_note shown_command command...
start_addr_file_peer() {
  local name=$1 secret_var=$2 rss_note=$3 shown=$4; shift 4
  local dir=$WORK/$name.$RANDOM$RANDOM
  mkdir -p "$dir"
  SRV_LOG=$dir/server.log
  env "$secret_var=$SECRET" "$@" "$dir/addr" >"$SRV_LOG" 2>&1 &
  SRV_PID=$!; LIVE_PIDS+=("$SRV_PID")
  SRV_CMD=$shown
  SRV_RSS_NOTE=$rss_note
  local addr
  addr=$(wait_addr_file "$dir/addr" "$SRV_PID" "$name") || return 1
  SRV_URL="http://$addr/webhooks/github"
  wait_http "$SRV_URL" "$SRV_PID" "$name"
}

start_octokit() {
  start_addr_file_peer octokit OCTOKIT_SECRET "node process" \
    "OCTOKIT_SECRET=\$SECRET node bench/peers/octokit-server.mjs <addr-file>   # port 0" \
    node bench/peers/octokit-server.mjs
}

start_floor() {
  start_addr_file_peer floor FLOOR_SECRET "forgehook-floor process" \
    "FLOOR_SECRET=\$SECRET $FLOOR_BIN <addr-file>   # port 0, one I/O thread as forgehook on 2 cores" \
    "$FLOOR_BIN"
}

start_webhook() { # wait|async
  local mode=$1 dir=$WORK/webhook.$RANDOM$RANDOM port include=true
  [ "$mode" = async ] && include=false
  mkdir -p "$dir"
  SRV_LOG=$dir/server.log
  # include-command-output-in-response makes webhook wait for the command before answering.
  # A wrong signature makes the rule evaluation fail (500); a missing one is a mismatch (401).
  cat >"$dir/hooks.json" <<EOF
[
  {
    "id": "github",
    "execute-command": "/bin/true",
    "include-command-output-in-response": $include,
    "trigger-rule-mismatch-http-response-code": 401,
    "trigger-rule": {
      "match": {
        "type": "payload-hmac-sha256",
        "secret": "$SECRET",
        "parameter": { "source": "header", "name": "X-Hub-Signature-256" }
      }
    }
  }
]
EOF
  save_config "hooks-$mode.json" "$dir/hooks.json"
  port=$(free_port)
  webhook -hooks "$dir/hooks.json" -ip 127.0.0.1 -port "$port" -http-methods POST >"$SRV_LOG" 2>&1 &
  SRV_PID=$!; LIVE_PIDS+=("$SRV_PID")
  SRV_CMD="webhook -hooks hooks.json -ip 127.0.0.1 -port <free port> -http-methods POST   # hooks.json: payload-hmac-sha256 on X-Hub-Signature-256, execute-command /bin/true, include-command-output-in-response: $include"
  SRV_RSS_NOTE="webhook process (not its /bin/true children)"
  SRV_URL="http://127.0.0.1:$port/hooks/github"
  wait_http "$SRV_URL" "$SRV_PID" webhook
}

start_nginx() {
  local dir=$WORK/nginx.$RANDOM$RANDOM port
  mkdir -p "$dir/logs"
  SRV_LOG=$dir/logs/error.log
  port=$(free_port)
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  client_max_body_size 1m;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    location / { return 200; }
  }
}
EOF
  save_config nginx.conf "$dir/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" >"$dir/logs/stdout.log" 2>&1 &
  SRV_PID=$!; LIVE_PIDS+=("$SRV_PID")
  SRV_CMD="nginx -p <tmpdir> -c <tmpdir>/nginx.conf -e <tmpdir>/error.log   # daemon off; worker_processes auto; location / { return 200; }"
  SRV_RSS_NOTE="nginx master + workers, summed"
  SRV_URL="http://127.0.0.1:$port/webhooks/github"
  wait_http "$SRV_URL" "$SRV_PID" nginx
}

# Pids whose VmHWM counts for the server: nginx's workers are children of the master.
server_pids() {
  echo "$SRV_PID"
  if [[ "$SRV_RSS_NOTE" == nginx* ]]; then pgrep -P "$SRV_PID" || true; fi
}

forget_pid() {
  local keep=() p
  for p in "${LIVE_PIDS[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
  LIVE_PIDS=("${keep[@]+"${keep[@]}"}")
}

stop_server() {
  stop_pid "$SRV_PID" "$([[ "$SRV_RSS_NOTE" == nginx* ]] && echo QUIT || echo TERM)"
  forget_pid "$SRV_PID"
}

# forgehook's own counters after a run (group commit sizes, accepted/duplicate), as a JSON object.
forgehook_metrics() {
  curl -s --max-time 5 "$1/metrics" 2>/dev/null | awk '
    /^forgehook_(deliveries_total|processed_total|store_commit_batch_size_(sum|count)|store_commit_seconds_(sum|count))[{ ]/ {
      key = $1; gsub(/"/, "\\\"", key); printf "%s\"%s\":%s", sep, key, $2; sep = ","
    }
    BEGIN { printf "{" } END { printf "}" }'
}

# What forgehook really stored, read from its database after it stopped: every acknowledged
# delivery must be there. Needs the sqlite3 CLI; null without it.
forgehook_store_rows() {
  if ! command -v sqlite3 >/dev/null || [ ! -f "$1" ]; then echo null; return; fi
  sqlite3 -readonly "$1" \
    "SELECT '{\"rows\":' || count(*) || ',\"distinct_delivery_ids\":' || count(DISTINCT delivery_id) || ',\"attempts\":' || coalesce(sum(attempts),0) || '}' FROM deliveries" \
    2>/dev/null || echo null
}

# --- one measured run ----------------------------------------------------------------------------
# Args: target scenario payload_id connections note start-args...
ROUND=1
measure() {
  local target=$1 scenario=$2 id=$3 conns=$4 note=$5; shift 5
  log "$target / $id / $scenario: starting server"
  if ! "start_${target%%-*}" "$@"; then
    log "$target failed to start; last log lines:"; tail -n 20 "$SRV_LOG" >&2 || true
    stop_server
    printf '{"target":%s,"scenario":%s,"payload":%s,"error":"server did not start"}\n' \
      "$(json_str "$target")" "$(json_str "$scenario")" "$(json_str "$id")" >>"$RECORDS"
    return 0
  fi

  # Honesty check before load: a correct signature is accepted, a wrong one is not.
  local good bad
  good=$(post_once "$SRV_URL" "${P_SIG[$id]}" "$id" "$(printf '%08x-0000-4000-8000-%012x' $((RANDOM)) 1)")
  bad=$(post_once "$SRV_URL" "$(cat "$WORK/payloads/$id.bad.sig")" "$id" "$(printf '%08x-0000-4000-8000-%012x' $((RANDOM)) 2)")

  local nonce wrk_cmd out
  nonce=$(printf '%08x' $(( (RANDOM << 16 | RANDOM) & 0xffffffff )))
  wrk_cmd="wrk -t$THREADS -c$conns -d$DURATION --timeout $WRK_TIMEOUT --latency -s bench/wrk/github.lua $SRV_URL"
  log "$target / $id / $scenario: $wrk_cmd"
  # In the background and waited for, so that a signal to this script is handled at once.
  BENCH_BODY_FILE="$WORK/payloads/$id.json" BENCH_SIGNATURE="${P_SIG[$id]}" \
    BENCH_EVENT="${P_EVENT[$id]}" BENCH_HOOK_ID="$HOOK_ID" BENCH_RUN_NONCE="$nonce" \
    timeout --kill-after=5 "$RUN_LIMIT" \
    wrk "-t$THREADS" "-c$conns" "-d$DURATION" --timeout "$WRK_TIMEOUT" --latency \
        -s bench/wrk/github.lua "$SRV_URL" >"$WORK/wrk.out" 2>&1 &
  local wrk_pid=$!
  LIVE_PIDS+=("$wrk_pid")
  wait "$wrk_pid" || log "wrk exited non-zero"
  forget_pid "$wrk_pid"
  out=$(cat "$WORK/wrk.out")
  { echo "=== $target / $id / $scenario"; echo "\$ $SRV_CMD"; echo "\$ $wrk_cmd"; echo "$out"; } >>"$RAWLOG"

  # Peak RSS over the server's whole life (one server per run, so it is this run's peak).
  local pids rss_total=0 rss_parts="" p kb
  pids=$(server_pids)
  for p in $pids; do
    kb=$(vm_hwm_kb "$p"); rss_total=$((rss_total + kb)); rss_parts+="${rss_parts:+,}{\"pid\":$p,\"vm_hwm_kb\":$kb}"
  done
  local alive=true
  kill -0 "$SRV_PID" 2>/dev/null || alive=false
  local extra=""
  [[ "$target" == forgehook* ]] && extra=",\"forgehook_metrics\":$(forgehook_metrics "${SRV_URL%/webhooks/github}")"
  stop_server
  [[ "$target" == forgehook* ]] && extra+=",\"forgehook_store\":$(forgehook_store_rows "$SRV_DATA/forgehook.db")"
  # Temp paths are this machine's: the committed log says <tmpdir> instead.
  { echo "--- server log (last 20 lines)"; tail -n 20 "$SRV_LOG" 2>/dev/null | sed "s#$WORK#<tmpdir>#g" | cut -c1-300 || true; } >>"$RAWLOG"

  local result
  result=$(grep '^BENCH_RESULT ' <<<"$out" | head -n1 | cut -d' ' -f2-) || true
  [ -n "$result" ] || { log "no BENCH_RESULT from wrk"; result=null; }
  printf '{"target":%s,"scenario":%s,"payload":%s,"round":'"$ROUND"',"connections":%s,"note":%s,"sanity":{"good_signature":%s,"wrong_signature":%s},"server_alive_after":%s,"peak_rss_kb":%s,"rss_processes":[%s],"rss_note":%s,"server_command":%s,"wrk_command":%s,"result":%s%s}\n' \
    "$(json_str "$target")" "$(json_str "$scenario")" "$(json_str "$id")" "$conns" "$(json_str "$note")" \
    "$good" "$bad" "$alive" "$rss_total" "$rss_parts" "$(json_str "$SRV_RSS_NOTE")" \
    "$(json_str "$SRV_CMD")" "$(json_str "$wrk_cmd")" "$result" "$extra" >>"$RECORDS"
  log "$target / $id / $scenario: done (good sig -> $good, wrong sig -> $bad, peak RSS ${rss_total} kB)"
}

# --- machine and inputs ----------------------------------------------------------------------------
SECRET=$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')
node bench/lib/payloads.mjs "$WORK/payloads" "$SECRET" "$PAYLOADS" >"$WORK/payloads.json"
declare -A P_SIG=() P_EVENT=()
while IFS=$'\t' read -r id event sig; do P_SIG[$id]=$sig; P_EVENT[$id]=$event; done < <(
  node -e 'for (const p of JSON.parse(require("fs").readFileSync(process.argv[1]))) console.log([p.id,p.event,p.signature].join("\t"))' "$WORK/payloads.json")

df_line=$(df -PT "$WORK" | awk 'NR==2 {printf "%s %s, %d GiB total, %d GiB free, mounted on %s", $1, $2, $3/1048576, $5/1048576, $7}')
forgehook_version="absent"
if [ -x "$FORGEHOOK_BIN" ]; then
  forgehook_version="$FORGEHOOK_BIN, modified $(date -r "$FORGEHOOK_BIN" '+%F %T'), sha256 $(sha256sum "$FORGEHOOK_BIN" | cut -c1-12)"
fi
cat >"$WORK/meta.json" <<EOF
{
  "started_at": $(json_str "$(date -u +%FT%TZ)"),
  "machine": {
    "nproc": $(nproc),
    "cpu_model": $(json_str "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"),
    "kernel": $(json_str "$(uname -sr)"),
    "os": $(json_str "$(sed -n 's/^PRETTY_NAME="\(.*\)"$/\1/p' /etc/os-release)"),
    "mem_total": $(json_str "$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"),
    "data_dir_disk": $(json_str "$df_line"),
    "loadavg_at_start": $(json_str "$(cut -d' ' -f1-3 /proc/loadavg)")
  },
  "settings": {
    "duration": $(json_str "$DURATION"), "threads": $THREADS, "connections": $CONNECTIONS,
    "wrk_timeout": $(json_str "$WRK_TIMEOUT"), "overload_connections": $OVERLOAD_CONNECTIONS,
    "overload_max_pending": $OVERLOAD_MAX_PENDING, "targets": $(json_str "$TARGETS"),
    "script": "bench/wrk/github.lua"
  },
  "versions": {
    "forgehook": $(json_str "$forgehook_version"),
    "wrk": $(json_str "$( (wrk -v 2>&1 || true) | awk 'NR==1 {print $2}')"),
    "webhook": $(json_str "$(webhook -version | awk '{print $NF}')"),
    "nginx": $(json_str "$(nginx -v 2>&1 | sed 's|.*nginx/||')"),
    "node": $(json_str "$(node -v)"),
    "octokit_webhooks": $(json_str "$(node -p 'require("./node_modules/@octokit/webhooks/package.json").version')"),
    "octokit_webhooks_examples": $(json_str "$(node -p 'require("./node_modules/@octokit/webhooks-examples/package.json").version')")
  }
}
EOF

# --- the runs ------------------------------------------------------------------------------------
if has_target forgehook && [ ! -x "$FORGEHOOK_BIN" ]; then
  log "$FORGEHOOK_BIN not found: forgehook skipped (build it first; this script never builds)"
  printf '{"target":"forgehook","scenario":"steady","payload":"*","error":"%s not found"}\n' "$FORGEHOOK_BIN" >>"$RECORDS"
  TARGETS=${TARGETS//forgehook/}
fi
if has_target floor && [ ! -x "$FLOOR_BIN" ]; then
  log "$FLOOR_BIN not found: floor skipped (build it first; this script never builds)"
  printf '{"target":"floor","scenario":"steady","payload":"*","error":"%s not found"}\n' "$FLOOR_BIN" >>"$RECORDS"
  TARGETS=${TARGETS//floor/}
fi
IFS=, read -r -a payload_ids <<<"$PAYLOADS"
for id in "${payload_ids[@]}"; do
  for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
    has_target forgehook && measure forgehook steady "$id" "$CONNECTIONS" "answers after a durable commit"
    # The same with the pipeline off: what intake alone does, to show what the workers cost it.
    has_target forgehook && measure forgehook-intake-only steady "$id" "$CONNECTIONS" "pipeline.enabled=false" "" false
    has_target octokit   && measure octokit   steady "$id" "$CONNECTIONS" "verifies, no-op handler"
    # adnanh/webhook answers ~350 req/s whatever the round: one round says it.
    ((ROUND == 1)) && has_target webhook && measure webhook steady "$id" "$CONNECTIONS" "waits for /bin/true" wait
    has_target nginx     && measure nginx     steady "$id" "$CONNECTIONS" "return 200, body discarded"
    has_target floor     && measure floor     steady "$id" "$CONNECTIONS" "Beast + HMAC, stores nothing"
  done
done
ROUND=1
if [ "$OVERLOAD" != 0 ]; then
  ov=${payload_ids[0]}
  has_target forgehook && measure forgehook overload "$ov" "$OVERLOAD_CONNECTIONS" "intake.max_pending default"
  has_target forgehook && measure forgehook overload "$ov" "$OVERLOAD_CONNECTIONS" \
    "intake.max_pending=$OVERLOAD_MAX_PENDING" "$OVERLOAD_MAX_PENDING"
  has_target webhook && measure webhook-async overload "$ov" "$OVERLOAD_CONNECTIONS" \
    "fire-and-forget: answers before /bin/true runs" async
fi

node bench/lib/report.mjs "$WORK/meta.json" "$WORK/payloads.json" "$RECORDS" "$RESULTS/latest" "$WORK/configs"
cp "$RAWLOG" "$RESULTS/latest.log.tmp" && mv "$RESULTS/latest.log.tmp" "$RESULTS/latest.log"
log "wrote $RESULTS/latest.json, $RESULTS/latest.md, $RESULTS/latest.log"

# Processing: backlog drain and accept-to-projection latency at a steady rate (bench/processing.mjs).
if [ "$PROCESSING" != 0 ] && has_target forgehook; then
  BENCH_FORGEHOOK_BIN="$FORGEHOOK_BIN" timeout --kill-after=5 900 node bench/processing.mjs "$RESULTS/processing" \
    || die "bench/processing.mjs failed"
fi

# Live streams: change latency to 100 WebSocket clients, memory per idle client, fan-out, ingest with
# clients connected (bench/live.mjs).
if [ "$LIVE" != 0 ] && has_target forgehook; then
  BENCH_FORGEHOOK_BIN="$FORGEHOOK_BIN" timeout --kill-after=5 900 node bench/live.mjs "$RESULTS/live" \
    || die "bench/live.mjs failed"
fi

# Reconciliation: one GitHub hook whose log holds 10,000 deliveries, 1 % missing here; time and
# forge API calls per run (bench/reconcile.mjs, against the fake GitHub of tests/fakes/).
if [ "$RECONCILE" != 0 ] && has_target forgehook; then
  BENCH_FORGEHOOK_BIN="$FORGEHOOK_BIN" timeout --kill-after=5 300 node bench/reconcile.mjs "$RESULTS/reconcile" \
    || die "bench/reconcile.mjs failed"
fi

# Rule-triggered commands: forgehook's [[rules]] against adnanh/webhook (waiting and fire-and-forget),
# /bin/true and touch <GUID>; deliveries accepted, commands completed and lost (bench/commands.mjs).
# Six rows of 20,000 deliveries: several minutes, bounded per row (send limit + wait) and in all.
if [ "$COMMANDS" != 0 ] && has_target forgehook; then
  command -v webhook >/dev/null || die "webhook not found (scripts/install-deps.sh bench)"
  BENCH_FORGEHOOK_BIN="$FORGEHOOK_BIN" timeout --kill-after=5 2400 node bench/commands.mjs "$RESULTS" \
    || die "bench/commands.mjs failed"
fi

# PostgreSQL: intake with one and two nodes on one PostgreSQL and backlog drain, against SQLite in
# the same run (bench/postgres.mjs, a throwaway PostgreSQL 15 cluster on this machine).
if [ "$POSTGRES" != 0 ] && has_target forgehook; then
  BENCH_FORGEHOOK_BIN="$FORGEHOOK_BIN" BENCH_DURATION="$DURATION" timeout --kill-after=5 1200 node bench/postgres.mjs "$RESULTS/postgres" \
    || die "bench/postgres.mjs failed"
fi
