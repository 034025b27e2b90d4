#!/usr/bin/env bash
# Runs fuzz targets for a bounded time each (make fuzz): tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
# (every tests/fuzz/*_fuzz.cc when none is named), with tests/fuzz/<target>.dict as its dictionary
# when there is one. Each starts from its seeds, its regressions and what earlier runs learned
# (BUILD_DIR/fuzz-corpus/<target>/, not committed); an input that crashes, leaks, hangs (10 s) or
# runs out of memory is written to tests/fuzz/regressions/<target>/, where the replay test of
# `make test` picks it up. The full log of each run is BUILD_DIR/fuzz-<target>.log.
# Exits non-zero when any target found something.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=$1 seconds=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzz.cc; do targets+=("$(basename "$f" _fuzz.cc)"); done
fi

found=()
for t in "${targets[@]}"; do
  learned=$build/fuzz-corpus/$t regressions=tests/fuzz/regressions/$t
  mkdir -p "$learned" "$regressions"
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  echo "== $t: ${seconds}s"
  nice -n 10 "$build/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "${dict[@]}" -artifact_prefix="$regressions/" "$learned" "tests/fuzz/corpus/$t" "$regressions" \
    >"$build/fuzz-$t.log" 2>&1
  status=$?
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units|^stat::peak_rss_mb|^(==[0-9]+==)?ERROR|^SUMMARY|artifact_prefix=.*Test unit written|fuzz check failed' \
    "$build/fuzz-$t.log"
  echo "   corpus learned: $(find "$learned" -type f | wc -l) inputs"
  [ "$status" -ne 0 ] && found+=("$t")
done
if [ ${#found[@]} -gt 0 ]; then
  echo "fuzz: findings in ${found[*]}: see tests/fuzz/regressions/ and $build/fuzz-<target>.log" >&2
  exit 1
fi
echo "fuzz: nothing found"
