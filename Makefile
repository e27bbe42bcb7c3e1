# The two commands: `make run` and `make test`. Both install missing Debian packages, then build.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
DATASET ?= data/sample

.PHONY: run test build configure deps bench clean sanitize fuzz

# The main job: serve the bundled sample's borough-constrained networks on http://127.0.0.1:$(PORT)
# (the map viewer at / for browsers, OGC API - Features, vector tiles, /health, /ready, /metrics) until Ctrl-C.
PORT ?= 8080
run: build
	$(BUILD_DIR)/catchment inspect $(DATASET)
	$(BUILD_DIR)/catchment serve $(DATASET) --constraint-field lad11cd --port $(PORT)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Configure once; later builds reuse the tree (CMake re-runs itself when a CMakeLists changes).
# Explicit CMAKE_FLAGS (as CI passes) are always applied.
configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ] || [ -n "$(CMAKE_FLAGS)" ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS); fi

deps:
	@.ci/install-deps

# The whole suite again in a separate build with AddressSanitizer and UndefinedBehaviorSanitizer: any
# report fails the test that made it.
SANITIZE_DIR ?= build-sanitize
sanitize: deps
	@if [ ! -f $(SANITIZE_DIR)/build.ninja ] || [ -n "$(CMAKE_FLAGS)" ]; then \
	  cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCATCHMENT_SANITIZE=ON $(CMAKE_FLAGS); fi
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (clang-14, with AddressSanitizer and UndefinedBehaviorSanitizer): each runs for
# FUZZ_SECONDS from its seed corpus in tests/fuzz/corpus; see tests/fuzz/run.sh.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZERS ?= fuzz_http_request fuzz_description fuzz_loaders fuzz_tiles fuzz_tile_coords
fuzz: deps
	@if [ ! -f $(FUZZ_DIR)/build.ninja ]; then \
	  cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DCATCHMENT_FUZZ=ON; fi
	cmake --build $(FUZZ_DIR) --target fuzzers -j $(JOBS)
	FUZZ_RUNS=$(FUZZ_RUNS) tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZERS)

# Benchmarks print figures and ratios against peers measured in the same run (not part of `make test`).
bench: build
	tests/bench/inspect_london.sh
	tests/bench/plan.sh
	tests/bench/tiles.sh
	tests/bench/serve.sh
	tests/bench/england.sh
	tests/bench/access.sh
	tests/bench/store.sh
	tests/bench/replicas.sh

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(FUZZ_DIR)
