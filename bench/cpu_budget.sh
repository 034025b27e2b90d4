#!/usr/bin/env bash
# The whole machine's CPU per request while one target answers wrk: the server process, wrk itself,
# and everything else (kernel threads such as jbd2 and kworkers, softirq), plus how idle the box
# stayed. It is what bounds a target's req/s when client and server share the cores, and what a
# throughput ratio between two targets has to be paid with.
#
# Usage: bench/cpu_budget.sh [TARGETS] [PAYLOADS] [ROUNDS]
#   TARGETS   comma list of floor,octokit,forgehook-intake,forgehook (default: all four)
#   PAYLOADS  comma list of 21k,8k,25k (default: 21k,8k)
#   ROUNDS    runs of each target per payload, the targets taking turns (default: 2)
# Environment: BENCH_DURATION (wrk -d, default 10s), BENCH_FORGEHOOK_BIN, BENCH_FLOOR_BIN.
# Prints one line per run. Needs wrk, node, GNU time (/usr/bin/time) and the built binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=${1:-floor,octokit,forgehook-intake,forgehook}
PAYLOADS=${2:-21k,8k}
ROUNDS=${3:-2}
DURATION=${BENCH_DURATION:-10s}
FORGEHOOK_BIN=${BENCH_FORGEHOOK_BIN:-build/forgehook}
FLOOR_BIN=${BENCH_FLOOR_BIN:-build/forgehook-floor}
SECRET=cpu-budget-$RANDOM$RANDOM

die() { echo "cpu_budget: $*" >&2; exit 1; }
for tool in wrk node /usr/bin/time; do command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh bench)"; done
[[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]] || die "ROUNDS must be 1-99"

# On the project's disk, not /tmp (a tmpfs would make forgehook's fdatasync free), and one
# measurement at a time with bench/run.sh (the same lock): both read the whole machine.
mkdir -p bench/results/tmp
exec 9>bench/results/tmp/.lock
command -v flock >/dev/null && { flock -n 9 || die "bench/run.sh or another cpu_budget.sh is running"; }
WORK=$(mktemp -d "$PWD/bench/results/tmp/cpu-budget.XXXXXX")
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

node bench/lib/payloads.mjs "$WORK/payloads" "$SECRET" "$PAYLOADS" >"$WORK/manifest.json"
field() { node -e 'const m=require(process.argv[1]);console.log(m.find(p=>p.id===process.argv[2])[process.argv[3]])' "$WORK/manifest.json" "$1" "$2"; }

# Starts TARGET; sets PID and ADDR.
start() {
  local target=$1 addr_file
  DIR=$WORK/$1.$RANDOM
  local dir=$DIR
  mkdir -p "$dir"
  case $target in
    forgehook|forgehook-intake)
      local pipeline=true
      [ "$target" = forgehook-intake ] && pipeline=false
      env FORGEHOOK_GITHUB_SECRET="$SECRET" FORGEHOOK_LOG_LEVEL=warn FORGEHOOK_PIPELINE_ENABLED=$pipeline \
        "$FORGEHOOK_BIN" serve --listen 127.0.0.1:0 --data-dir "$dir" >"$dir.log" 2>&1 &
      addr_file=$dir/forgehook.addr ;;
    octokit)
      OCTOKIT_SECRET="$SECRET" node bench/peers/octokit-server.mjs "$dir/addr" >"$dir.log" 2>&1 &
      addr_file=$dir/addr ;;
    floor)
      FLOOR_SECRET="$SECRET" "$FLOOR_BIN" "$dir/addr" >"$dir.log" 2>&1 &
      addr_file=$dir/addr ;;
    *) die "unknown target $target" ;;
  esac
  PID=$!
  for _ in $(seq 200); do [ -s "$addr_file" ] || ! kill -0 "$PID" 2>/dev/null && break; sleep 0.1; done
  [ -s "$addr_file" ] || die "$target did not start (log: $(tail -3 "$dir.log"))"
  ADDR=$(cat "$addr_file")
  sleep 0.5  # past start-up work, so it is not counted
}

# CPU ticks of the server process (all its threads, those that ended too: utime and stime of
# /proc/PID/stat, read after the command name, which may hold spaces), and the box's busy and idle
# ticks. A server that died fails the run with its log.
server_ticks() {
  kill -0 "$PID" 2>/dev/null || die "the server died (log: $(tail -3 "$DIR.log"))"
  sed 's/.*) //' /proc/"$PID"/stat | awk '{print $12 + $13}'
}
box_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }  # steal ($9) is neither
HZ=$(getconf CLK_TCK)

run() {
  local target=$1 payload=$2
  # Read before the measured window: a node process inside it would count as "other".
  local signature event nonce
  signature=$(field "$payload" signature)
  event=$(field "$payload" event)
  nonce=$(printf %08x $((RANDOM * 32768 + RANDOM)))
  start "$target"
  local s0 s1 b0 i0 b1 i1
  s0=$(server_ticks); read -r b0 i0 < <(box_ticks)
  BENCH_BODY_FILE="$WORK/payloads/$payload.json" BENCH_SIGNATURE="$signature" \
    BENCH_EVENT="$event" BENCH_HOOK_ID=424242 BENCH_RUN_NONCE="$nonce" \
    /usr/bin/time -f "%U %S" -o "$WORK/wrk.time" \
    wrk -t2 -c32 -d"$DURATION" --timeout 10s -s bench/wrk/github.lua "http://$ADDR/webhooks/github" >"$WORK/wrk.out" 2>&1
  s1=$(server_ticks); read -r b1 i1 < <(box_ticks)
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  rm -rf "$DIR" "$DIR.log"  # a run's data dir holds GBs at 21 KB
  local n rps non2xx wrk_s
  n=$(awk '/requests in/{print $1}' "$WORK/wrk.out")
  rps=$(awk '/Requests\/sec/{print $2}' "$WORK/wrk.out")
  non2xx=$(awk '/Non-2xx/{print $NF}' "$WORK/wrk.out")
  wrk_s=$(awk '{print $1 + $2}' "$WORK/wrk.time")
  awk -v t="$target" -v p="$payload" -v n="$n" -v rps="$rps" -v bad="${non2xx:-0}" -v hz="$HZ" \
    -v srv=$((s1 - s0)) -v busy=$((b1 - b0)) -v idle=$((i1 - i0)) -v wrk="$wrk_s" 'BEGIN {
      server = srv / hz * 1e6 / n; client = wrk * 1e6 / n; other = busy / hz * 1e6 / n - server - client;
      printf "%-16s %-4s req/s %8.0f  non-2xx %s  µs per request: server %5.1f  wrk %5.1f  other %5.1f  total %5.1f  idle %4.1f%%\n",
        t, p, rps, bad, server, client, other, server + client + other, 100 * idle / (busy + idle) }'
}

IFS=, read -r -a targets <<<"$TARGETS"
IFS=, read -r -a payloads <<<"$PAYLOADS"
echo "cpu_budget $(date -u +%FT%TZ) wrk -t2 -c32 -d$DURATION, $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
for payload in "${payloads[@]}"; do
  for ((round = 1; round <= ROUNDS; round++)); do
    for target in "${targets[@]}"; do run "$target" "$payload"; done
  done
done
