# Haven: the two commands are `make run` and `make check`. Meson and Ninja do
# the real build; this file only installs what is missing and calls them.
.PHONY: all deps build run check fuzz bench bench-incidents bench-kyr bench-training format clean

DATA ?= var/run

all: build

deps:
	@scripts/deps.sh

build: deps
	@scripts/assets.sh
	@[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
	@ninja -C build >/dev/null

# Builds, creates the data folder and database, loads the demo city when the
# database is new (running it again keeps the data), then serves.
run: build
	@./build/haven demo --data $(DATA)
	@echo "Open http://127.0.0.1:8080 (Ctrl-C stops the server; the data stays in $(DATA))"
	@exec ./build/haven serve --data $(DATA)

check:
	@scripts/deps.sh --check
	@tests/run.sh

fuzz: deps
	@tests/fuzz/run.sh $${FUZZ_SECONDS:-300}

bench: build
	@bench/run.sh
	@bench/incidents.sh
	@bench/kyr.sh

# Incident reports at city scale (generates a 1,000,000-report city once).
bench-incidents: build
	@bench/incidents.sh

# A published Know-Your-Rights page under a 256-connection surge, beside
# nginx serving the same bytes, with a staff client working alongside.
bench-kyr: build
	@bench/kyr.sh

# Training at City scale: 50,000 employees and 500,000 completions imported,
# then the coverage pages under wrk.
bench-training: build
	@bench/training.sh

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tools/*.c')

clean:
	rm -rf build build-asan build-fuzz web/dist .cache
