# forgehook: the two commands are `make run` and `make test`. Both install what is missing first.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
FUZZ_DIR  ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS      ?= $(shell nproc)
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps deps-test deps-bench build run test unit-test asan-test integration-test browser-test bench bench-scale fuzz clean

all: build

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

deps-bench:
	@scripts/install-deps.sh bench

$(BUILD_DIR)/CMakeCache.txt:
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DFORGEHOOK_WERROR=ON >/dev/null

build: deps $(BUILD_DIR)/CMakeCache.txt
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/forgehook serve

unit-test: deps-test $(BUILD_DIR)/CMakeCache.txt
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure

# The unit tests again under AddressSanitizer and UBSan (no server binary needed).
asan-test: deps-test
	@test -f $(ASAN_DIR)/CMakeCache.txt || cmake -S . -B $(ASAN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
	  -DFORGEHOOK_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS) --target unit_tests_all
	cd $(ASAN_DIR) && ctest --output-on-failure

# The same integration tests again on PostgreSQL (FORGEHOOK_IT_BACKEND, tests/integration/lib/server.mjs),
# less those of the SQLite store's own features (backup and restore of its file, damaged files, a
# full disk under data_dir, secrets read back from its file) and those that start PostgreSQL
# themselves (migrate, several nodes).
NOT_ON_POSTGRES_TESTS = backup_restore damaged_store disk_full secrets_at_rest migrate migrate_store multi_node
PG_INTEGRATION_TESTS = $(filter-out $(NOT_ON_POSTGRES_TESTS:%=tests/integration/%.test.mjs),$(wildcard tests/integration/*.test.mjs))

integration-test: deps-test build
	node --test --test-concurrency=1 tests/integration/*.test.mjs
	FORGEHOOK_IT_BACKEND=postgres node --test --test-concurrency=1 $(PG_INTEGRATION_TESTS)

# The dashboard in Chromium (playwright-core drives /usr/bin/chromium); screenshots in build/screenshots/.
browser-test: deps-test build
	node --test --test-concurrency=1 tests/browser/*.test.mjs

test: unit-test asan-test integration-test browser-test

bench: deps-bench build
	bench/run.sh

# The scale benchmark (bench/scale.mjs): SCALE_DELIVERIES (default 10,000,000) stored deliveries,
# then bytes per delivery, list and metrics latencies, rebuild rate and RSS, written into the
# "Scale" section of docs/PERFORMANCE.md (which says how long a run takes and how much disk it needs).
bench-scale: deps-bench build
	SCALE_WRITE_DOC=1 nice -n 10 node bench/scale.mjs bench/results/scale

# Each fuzz target for FUZZ_SECONDS (FUZZ_TARGETS="form config" for some), built with clang and libFuzzer
# in $(FUZZ_DIR); inputs that crash go to tests/fuzz/regressions/. Not part of `make test`, whose unit
# pass replays the seed corpora and those regressions (docs/FUZZING.md).
fuzz:
	@scripts/install-deps.sh fuzz
	@test -f $(FUZZ_DIR)/CMakeCache.txt || CC=clang-19 CXX=clang++-19 cmake -S . -B $(FUZZ_DIR) $(CMAKE_GEN) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFORGEHOOK_FUZZ=ON -DFORGEHOOK_WERROR=OFF >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets
	tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
