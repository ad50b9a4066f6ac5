# Makefile - thin front of the CMake build.
#   make            build the library and the malgopher command (build/)
#   make demo       install the missing packages of deps/debian-build.txt (as
#                   root), build the command only, fetch two small samples
#                   and show `info` and `hash` on them, then fetch the default
#                   corpus (core tier) and run `hash -r`, `cluster` (family
#                   table) and `eval` (V-measure, HTML report) on it
#   make test       build and run every test (CTest, TEST_JOBS in parallel)
#   make check      the quick subset: unit and core tests (CTest label quick)
#   make test-asan  the same tests built with ASan+UBSan (build-asan/)
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS (default 60) each
#   make deps       install what the build and the demo need (deps/debian-build.txt)
#   make deps-test  and what the tests need (deps/debian-test.txt)
#   make install    install the command, libmalgopher.so/.a, the header,
#                   malgopher.pc, the man pages and rules/ under PREFIX
#                   (default /usr/local), staged under DESTDIR when given
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)
# tests in parallel: one more than the cores, because part of the suite
# waits (the corpus download, PostgreSQL servers starting, fsync) rather
# than computes; the tests that must run alone say so (RUN_SERIAL)
TEST_JOBS  ?= $(shell echo $$(( $(JOBS) + 1 )))
CORPUS     ?= $(or $(MALGOPHER_CORPUS),$(HOME)/.cache/malgopher/corpus)
SHARED     ?= $(CURDIR)/../shared
PREFIX     ?= /usr/local
DESTDIR    ?=
# the Debian packages: one list (deps/), read by deps/missing.sh here and in .ci/run
DEPS_BUILD = deps/debian-build.txt
DEPS_TEST  = deps/debian-test.txt

.PHONY: all test check test-asan fuzz demo deps deps-test install clean

all: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

test: all
	ctest --test-dir $(BUILD) --output-on-failure -j $(TEST_JOBS)

check: all
	ctest --test-dir $(BUILD) --output-on-failure -j $(TEST_JOBS) -L quick

$(BUILD_ASAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DMG_SANITIZE=ON

test-asan: $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(TEST_JOBS)

$(BUILD_FUZZ)/CMakeCache.txt:
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMG_FUZZ=ON -DMG_TESTS=OFF

fuzz: $(BUILD_FUZZ)/CMakeCache.txt
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_all
	bash tests/fuzz/run_fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

deps:
	@bash deps/install.sh $(DEPS_BUILD)

deps-test:
	@bash deps/install.sh $(DEPS_BUILD) $(DEPS_TEST)

# the demo builds the command only (not the tests), and shows a first result
# on two small samples before it fetches the rest of the core tier
demo: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target malgopher
	@echo "== fetching two small samples (lefthook 0.7.7, one npm package) into $(CORPUS)"
	bash $(SHARED)/corpus/fetch.sh $(CORPUS) --tier core --family lefthook || echo "(could not fetch them; going on)"
	@echo "== malgopher info, then hash, on them"
	$(BUILD)/malgopher info $(CORPUS)/lefthook/0.7.7_linux-arm64/lefthook || true
	$(BUILD)/malgopher hash -r $(CORPUS)/lefthook || true
	@echo "== fetching the rest of the default corpus (core tier, about 400 MB) into $(CORPUS)"
	bash $(SHARED)/corpus/fetch.sh $(CORPUS) --tier core || echo "(some corpus files could not be fetched; going on with the rest)"
	@echo "== malgopher hash -r $(CORPUS)"
	$(BUILD)/malgopher hash -r $(CORPUS) || true
	@echo "== malgopher cluster: the families (labels from the corpus MANIFEST)"
	cd $(CORPUS) && $(CURDIR)/$(BUILD)/malgopher cluster --summary --labels $(SHARED)/corpus/MANIFEST.tsv -r . 2>/dev/null || true
	@echo "== malgopher eval: V-measure against the labels, baselines, HTML report"
	cd $(CORPUS) && $(CURDIR)/$(BUILD)/malgopher eval --labels $(SHARED)/corpus/MANIFEST.tsv --html $(CURDIR)/$(BUILD)/families.html -r . 2>/dev/null || true
	@echo "== the family report: $(BUILD)/families.html; next: the quick tour in README.md"

# the prefix is a configure-time setting (malgopher.pc records it)
install: all
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
