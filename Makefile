# Makefile - thin front of the CMake build.
#   make            build the library and the malgopher command (build/)
#   make test       build and run every test (CTest)
#   make test-asan  the same tests built with ASan+UBSan (build-asan/)
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS (default 60) each
#   make demo       install missing Debian packages (as root), build, fetch the
#                   default corpus and run `malgopher info` and `hash -r` on it,
#                   then `cluster` (family table) and `eval` (V-measure, HTML report)
#   make install    install the command, libmalgopher.so/.a, the header,
#                   malgopher.pc and the man pages under PREFIX (default
#                   /usr/local), staged under DESTDIR when given
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)
CORPUS     ?= $(or $(MALGOPHER_CORPUS),$(HOME)/.cache/malgopher/corpus)
SHARED     ?= $(CURDIR)/../shared
PREFIX     ?= /usr/local
DESTDIR    ?=
# Debian packages the build, the tests and the demo need
DEBS = build-essential cmake pkg-config libssl-dev libfuzzy-dev libcmocka-dev \
       golang-go python3 ca-certificates mono-mcs mono-devel mono-runtime mono-utils \
       libyara-dev libmagic-dev libjansson-dev yara ssdeep binutils llvm time \
       chromium man-db libsqlite3-dev libpq-dev postgresql

.PHONY: all test test-asan fuzz demo deps install clean

all: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

test: all
	ctest --test-dir $(BUILD) --output-on-failure

$(BUILD_ASAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DMG_SANITIZE=ON

test-asan: $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	ctest --test-dir $(BUILD_ASAN) --output-on-failure

$(BUILD_FUZZ)/CMakeCache.txt:
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMG_FUZZ=ON -DMG_TESTS=OFF

fuzz: $(BUILD_FUZZ)/CMakeCache.txt
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_all
	bash tests/fuzz/run_fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

deps:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	else \
	    echo "missing Debian packages; run:"; \
	    echo "  sudo apt-get install $$missing"; \
	    exit 1; \
	fi
	@command -v npm >/dev/null || { echo "the corpus fetch needs npm (Node.js: apt-get install npm)"; exit 1; }

demo: deps all
	@echo "== fetching the default corpus (core tier) into $(CORPUS)"
	bash $(SHARED)/corpus/fetch.sh $(CORPUS) --tier core || echo "(some corpus files could not be fetched; going on with the rest)"
	@echo "== malgopher info"
	find $(CORPUS) -path $(CORPUS)/.cache -prune -o -type f -print | sort | xargs $(BUILD)/malgopher info || true
	@echo "== malgopher hash -r $(CORPUS)"
	$(BUILD)/malgopher hash -r $(CORPUS) || true
	@echo "== malgopher cluster: the families (labels from the corpus MANIFEST)"
	cd $(CORPUS) && $(CURDIR)/$(BUILD)/malgopher cluster --summary --labels $(SHARED)/corpus/MANIFEST.tsv -r . 2>/dev/null || true
	@echo "== malgopher eval: V-measure against the labels, baselines, HTML report"
	cd $(CORPUS) && $(CURDIR)/$(BUILD)/malgopher eval --labels $(SHARED)/corpus/MANIFEST.tsv --html $(CURDIR)/$(BUILD)/families.html -r . 2>/dev/null || true

# the prefix is a configure-time setting (malgopher.pc records it)
install: all
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
