#!/usr/bin/env bash
# Runs every test suite `make check` promises and ends with one line
# "N passed, N failed". Suites: unit tests (cmocka) with the store contract
# on SQLite and PostgreSQL; API tests against the real binary on both
# databases; browser tests in Debian's chromium with axe-core; the unit and
# API tests again under AddressSanitizer and UndefinedBehaviorSanitizer; a
# short run of each fuzz target.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. tests/lib/pg.sh

pass=0
fail=0
logdir=$(mktemp -d /tmp/haven-check.XXXXXX)
trap 'pg_stop' EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }

# Counts a cmocka TAP stream: "ok N - name" / "not ok N - name".
count_tap() {
  local name=$1 file=$2 rc=$3 p f
  p=$(grep -cE '^ok ' "$file")
  f=$(grep -cE '^not ok ' "$file")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed before reporting
  pass=$((pass + p)); fail=$((fail + f))
  say "  $name: $p passed, $f failed"
  [ "$f" -eq 0 ] || { grep -E '^not ok|^#' "$file" | head -40; }
}

# Counts a node:test TAP stream by its summary lines.
count_node() {
  local name=$1 file=$2 rc=$3 p f
  p=$(grep -E '^# pass ' "$file" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail ' "$file" | awk '{s+=$3} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  pass=$((pass + p)); fail=$((fail + f))
  say "  $name: $p passed, $f failed"
  [ "$f" -eq 0 ] || { grep -B2 -A25 -E '^\s*not ok' "$file" | head -120; }
}

build_dir() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >"$logdir/meson-$(basename "$dir").log" 2>&1 \
      || { cat "$logdir/meson-$(basename "$dir").log"; return 1; }
  fi
  ninja -C "$dir" >"$logdir/ninja-$(basename "$dir").log" 2>&1 \
    || { tail -50 "$logdir/ninja-$(basename "$dir").log"; return 1; }
}

unit_suite() {
  local dir=$1 tag=$2 t out rc
  for t in "$dir"/tests/unit/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    local base
    base=$(basename "$t")
    if [ "$base" = test_store_contract ]; then
      local db
      for db in sqlite postgres; do
        local url
        if [ "$db" = sqlite ]; then url="sqlite:$logdir/contract-$tag.db"; rm -f "$logdir/contract-$tag.db"*; else url=$(pg_newdb contract); fi
        out="$logdir/$tag-$base-$db.tap"
        HAVEN_TEST_DB="$url" CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$out" 2>&1; rc=$?
        count_tap "$tag ${base#test_} ($db)" "$out" "$rc"
      done
      continue
    fi
    out="$logdir/$tag-$base.tap"
    CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$out" 2>&1; rc=$?
    count_tap "$tag ${base#test_}" "$out" "$rc"
  done
}

api_suite() {
  local bin=$1 tag=$2 db=$3 out rc
  out="$logdir/$tag-api-$db.tap"
  HAVEN_BIN="$bin" HAVEN_TEST_DB="$db" HAVEN_TEST_PG_URL="${PG_URL:-}" \
    timeout -k 10 1200 node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=tap tests/api/ >"$out" 2>&1; rc=$?
  count_node "$tag api ($db)" "$out" "$rc"
}

start=$(date +%s)
say "== build"
scripts/assets.sh || exit 1
build_dir build --buildtype=debugoptimized || { say "0 passed, 1 failed"; exit 1; }
build_dir build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
  || { say "0 passed, 1 failed"; exit 1; }

say "== postgresql"
if ! pg_start; then
  say "0 passed, 1 failed"
  exit 1
fi

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp # leaks inside system libraries

say "== unit"
unit_suite build unit
say "== api"
api_suite "$root/build/haven" release sqlite
api_suite "$root/build/haven" release postgres
say "== browser"
out="$logdir/browser.tap"
HAVEN_BIN="$root/build/haven" timeout -k 10 1200 node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=tap tests/browser/ >"$out" 2>&1
count_node "browser" "$out" $?
say "== sanitizers (address, undefined)"
unit_suite build-asan asan
api_suite "$root/build-asan/haven" asan sqlite
api_suite "$root/build-asan/haven" asan postgres
say "== fuzz (short runs)"
if [ -x tests/fuzz/run.sh ]; then
  out="$logdir/fuzz.tap"
  tests/fuzz/run.sh "${FUZZ_CHECK_SECONDS:-15}" >"$out" 2>&1
  count_tap "fuzz" "$out" $?
fi

pg_stop
say "(logs in $logdir; $(( $(date +%s) - start ))s)"
say "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
