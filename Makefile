# The two commands: `make run` and `make test`. Both install missing Debian packages, then build.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
DATASET ?= data/sample

.PHONY: run test build configure deps bench clean

# Until the server exists, the main job is `catchment plan` on the bundled sample (borough-constrained
# networks, written as a GeoPackage with its report beside the build).
run: build
	$(BUILD_DIR)/catchment inspect $(DATASET)
	$(BUILD_DIR)/catchment plan $(DATASET) --constraint-field lad11cd --out $(BUILD_DIR)/sample-plan.gpkg --report $(BUILD_DIR)/sample-plan.json
	@echo "Plan written to $(BUILD_DIR)/sample-plan.gpkg (open it in QGIS) and $(BUILD_DIR)/sample-plan.json"

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

# Benchmarks print figures and ratios against peers measured in the same run (not part of `make test`).
bench: build
	tests/bench/inspect_london.sh
	tests/bench/plan.sh
	tests/bench/tiles.sh

clean:
	rm -rf $(BUILD_DIR)
