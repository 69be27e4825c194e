#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz (clang, ASan and UBSan, the
# library instrumented with -fsanitize=fuzzer-no-link) and runs each for
# SECONDS seconds (default 15) on a temporary copy of its seed corpus, so
# the inputs a run discovers never land in the git tree. Prints TAP on
# stdout: "ok N - fuzz TARGET" or "not ok N - fuzz TARGET" followed by the
# reproducer and the end of the fuzzer's log as "# " lines. Exits non-zero
# when any target failed. Logs and reproducers stay in
# build-fuzz/fuzz-out/run-DATE-XXXX/ (one folder per run, so runs at the same
# time do not mix; the ten newest are kept).
#
#   tests/fuzz/run.sh 15              # the short run of `make check`
#   tests/fuzz/run.sh 300             # `make fuzz`
#   FUZZ_TARGETS="router form" tests/fuzz/run.sh 60
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

seconds=${1:-15}
case $seconds in
'' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
targets=${FUZZ_TARGETS:-router form template headers config json multipart csv_import kyr_directory image redact markdown markdown_plain calendar smsreply wg_languages foia_document plans_compare contracts_import training}
build="build-fuzz"
out=$PWD/$build/fuzz-out

comment() { sed 's/^/# /'; }

ntargets=$(wc -w <<<"$targets")
echo "1..$ntargets"

build_log=$(mktemp /tmp/haven-fuzz-build.XXXXXX)
built=1
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzz=true -Dtests=false \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link >"$build_log" 2>&1 || built=0
fi
if [ "$built" = 1 ]; then
  ninja -C "$build" >>"$build_log" 2>&1 || built=0
fi
if [ "$built" = 0 ]; then
  n=0
  for t in $targets; do
    n=$((n + 1))
    echo "not ok $n - fuzz $t"
    echo "# the fuzz build failed:"
    tail -30 "$build_log" | comment
  done
  rm -f "$build_log"
  exit 1
fi
rm -f "$build_log"
mkdir -p "$out"
run=$(mktemp -d "$out/run-$(date +%Y%m%d-%H%M%S)-XXXX")
# Keep the ten newest runs' logs (the names are ours: ls is safe).
# shellcheck disable=SC2012
ls -1dt "$out"/run-* 2>/dev/null | tail -n +11 | while read -r old; do rm -rf "$old"; done

# UBSan reports are errors here, as they are in the ASan build of the tests.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

n=0
failed=0
work=
trap 'rm -rf "$work"' EXIT
for t in $targets; do
  n=$((n + 1))
  bin=$PWD/$build/tests/fuzz/fuzz_$t
  seeds=tests/fuzz/corpus/$t
  if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
    echo "not ok $n - fuzz $t"
    echo "# no binary $bin or no seed corpus $seeds"
    failed=$((failed + 1))
    continue
  fi
  work=$(mktemp -d "/tmp/haven-fuzz-$t.XXXXXX")
  cp -R "$seeds/." "$work/"
  art=$run/$t
  mkdir -p "$art"
  log=$run/$t.log
  "$bin" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$art/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  rm -rf "$work"
  repro=$(find "$art" -type f 2>/dev/null | head -1)
  if [ "$rc" -eq 0 ] && [ -z "$repro" ]; then
    echo "ok $n - fuzz $t"
  else
    failed=$((failed + 1))
    echo "not ok $n - fuzz $t"
    echo "# exit status $rc; log $log"
    if [ -n "$repro" ]; then
      echo "# reproducer: $repro"
      echo "# replay: $bin $repro"
    fi
    grep -m5 -E 'invariant broken|ERROR: |runtime error:|SUMMARY: ' "$log" | comment
    echo "# --- last 30 lines of the log:"
    tail -30 "$log" | comment
  fi
done

[ "$failed" -eq 0 ]
