# The two commands: `make run` and `make test`. Both install missing Debian packages, then build.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
DATASET ?= data/sample

.PHONY: run test build deps configure clean

run: build
	$(BUILD_DIR)/catchment inspect $(DATASET)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Configure once; later builds reuse the tree (cmake re-runs itself when CMakeLists change).
configure: deps
	@[ -f $(BUILD_DIR)/build.ninja ] || cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

deps:
	@.ci/install-deps

clean:
	rm -rf $(BUILD_DIR)
