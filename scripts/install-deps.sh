#!/usr/bin/env bash
# Installs what forgehook needs to build, test or benchmark on Debian 12, and nothing when it is all
# present (quiet then). Usage: scripts/install-deps.sh [build|test|bench]  (each includes the ones before),
# or scripts/install-deps.sh fuzz (build, plus clang and libFuzzer for `make fuzz`).
set -euo pipefail
want=${1:-build}
cd "$(dirname "$0")/.."

build_pkgs=(g++ cmake make ninja-build pkg-config ccache libboost1.81-dev libsqlite3-dev libssl-dev
            libsimdjson-dev libzstd-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
            libcurl4-openssl-dev libre2-dev zlib1g-dev libpq-dev nodejs npm)
test_pkgs=(libgtest-dev libgmock-dev chromium sqlite3 postgresql-15)
bench_pkgs=(wrk webhook nginx-light libbenchmark-dev procps time)
# clang 19: GCC 12's <expected> needs __cpp_concepts >= 202002, which clang 16 does not announce.
fuzz_pkgs=(clang-19 libclang-rt-19-dev)

pkgs=("${build_pkgs[@]}")
case "$want" in
  build) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  bench) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz) pkgs+=("${fuzz_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|bench|fuzz]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  # nodesource's nodejs ships npm itself; accept any working npm for the npm package
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The dashboard's bundler and libraries (needed to build), and the test data, browser driver and peers
# come from npm, pinned by package-lock.json: one install for every mode keeps it simple. The fuzz
# targets build no dashboard and their seeds are committed, so `fuzz` needs none of it. A
# node_modules that is a link belongs to another checkout (a git worktree sharing it): `npm ci`
# would empty that one, so only a missing install is reported then.
if [ -L node_modules ]; then
  [ -d node_modules/esbuild ] || { echo "install-deps: node_modules links to an empty install" >&2; exit 1; }
elif [ "$want" != fuzz ] && { [ ! -d node_modules/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "install-deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
