#!/usr/bin/env bash
# Processing throughput: fill a backlog of signed pull_request deliveries with the pipeline off,
# restart with it on, and time until the backlog is drained (deliveries/s with projections
# committed). Usage: bench/processing.sh [seconds of load, default 3]. Needs build/forgehook, wrk, node.
set -euo pipefail
cd "$(dirname "$0")/.."
LOAD_SECONDS=${1:-3}
WORK=$(mktemp -d /tmp/forgehook-processing.XXXXXX)
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
SECRET=bench-$RANDOM$RANDOM
TOKEN=bench-admin-token-$RANDOM$RANDOM$RANDOM
node -e 'const ix=require("@octokit/webhooks-examples/api.github.com/index.json");
  process.stdout.write(JSON.stringify(ix.find(e=>e.name==="pull_request").examples[0]))' >"$WORK/body.json"
SIG=sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$WORK/body.json" | cut -d' ' -f1)
start() { # pipeline.enabled
  FORGEHOOK_GITHUB_SECRET=$SECRET FORGEHOOK_ADMIN_TOKEN=$TOKEN FORGEHOOK_LOG_LEVEL=warn FORGEHOOK_PIPELINE_ENABLED=$1 \
    build/forgehook serve --listen 127.0.0.1:0 --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do [ -s "$WORK/data/forgehook.addr" ] && break; sleep 0.05; done
  ADDR=$(cat "$WORK/data/forgehook.addr")
}
backlog() { curl -s -H "Authorization: Bearer $TOKEN" "http://$ADDR/api/v1/metrics/status" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).webhooks.processing_backlog))'; }
mkdir -p "$WORK/data"
start false
BENCH_BODY_FILE=$WORK/body.json BENCH_SIGNATURE=$SIG BENCH_EVENT=pull_request BENCH_HOOK_ID=1 BENCH_RUN_NONCE=$RANDOM \
  wrk -t2 -c32 -d"${LOAD_SECONDS}s" -s bench/wrk/github.lua "http://$ADDR/webhooks/github" >"$WORK/wrk.txt"
QUEUED=$(backlog)
kill -TERM $PID; wait $PID || true
start true
T0=$(date +%s.%N)
while [ "$(backlog)" != 0 ]; do sleep 0.05; done
T1=$(date +%s.%N)
kill -TERM $PID; wait $PID || true
node -e "const n=$QUEUED, s=$T1-$T0; console.log(JSON.stringify({backlog:n, seconds:+s.toFixed(2), deliveries_per_second:Math.round(n/s), payload:'pull_request.opened 21 KB'}))"
