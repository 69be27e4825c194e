#!/usr/bin/env bash
# Haven's incident benchmark at city scale: filing reports (authenticated
# JSON POST, durable) and filtered lists over 1,000,000 reports, with wrk on
# loopback, interleaved, median of several runs. See bench/README.md.
#
#   bench/incidents.sh            print the table
#   bench/incidents.sh --record   also append a dated section to bench/RESULTS.md
#
# The city is generated once into BENCH_CITY (default var/bench-city) by
# `haven demo` + `haven-bench-gen` (about 3 minutes, 6.5 GB) and reused;
# filing runs add their reports to it. Delete the folder to start afresh.
#
# Environment:
#   HAVEN_BIN         haven binary (default build/haven); haven-bench-gen is
#                     taken from the same folder
#   BENCH_CITY        the generated city's data folder (default var/bench-city)
#   BENCH_REPORTS     reports to generate (default 1000000)
#   BENCH_RUNS        runs per target, interleaved (default 3)
#   BENCH_DURATION    wrk duration per run (default 10s)
#   BENCH_THREADS     haven serve --threads (default 32: writers in flight)
#   BENCH_TARGETS     subset of: file alert list-month list-year list-page
#                     (default: all)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
record=0
for a in "$@"; do
  case "$a" in
  --record) record=1 ;;
  -h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "bench/incidents.sh: unknown argument '$a'" >&2; exit 2 ;;
  esac
done

haven_bin="${HAVEN_BIN:-$root/build/haven}"
gen_bin="$(dirname "$haven_bin")/haven-bench-gen"
[ -x "$gen_bin" ] || gen_bin="$root/build/haven-bench-gen"
city="${BENCH_CITY:-$root/var/bench-city}"
nreports="${BENCH_REPORTS:-1000000}"
runs="${BENCH_RUNS:-3}"
duration="${BENCH_DURATION:-10s}"
threads="${BENCH_THREADS:-32}"
targets="${BENCH_TARGETS:-file alert list-month list-year list-page}"

scripts/deps.sh --check
for t in wrk curl; do command -v "$t" >/dev/null || { echo "bench/incidents.sh: $t not found" >&2; exit 1; }; done
[ -x "$haven_bin" ] || { echo "bench/incidents.sh: $haven_bin is not executable; run make build" >&2; exit 1; }

if [ ! -f "$city/bench.env" ]; then
  echo "bench: generating the city in $city ($nreports reports; a few minutes)" >&2
  rm -rf "$city"
  "$haven_bin" demo --data "$city" >/dev/null
  /usr/bin/time -f "bench: generated in %e s" "$gen_bin" --data "$city" --reports "$nreports" >&2
fi
set -a
# shellcheck disable=SC1091
. "$city/bench.env"
set +a

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty=""
[ -n "$(git status --porcelain -- src meson.build 2>/dev/null)" ] && dirty=" (with uncommitted changes in src/)"
tmp="$(mktemp -d /tmp/haven-bench-inc.XXXXXX)"
haven_pid=""
cleanup() {
  set +e
  if [ -n "$haven_pid" ] && kill -0 "$haven_pid" 2>/dev/null; then kill -TERM "$haven_pid"; wait "$haven_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$((20000 + RANDOM % 40000))
"$haven_bin" serve --data "$city" --listen "127.0.0.1:$port" --threads "$threads" >"$tmp/haven.out" 2>"$tmp/haven.log" &
haven_pid=$!
for _ in $(seq 1 600); do # the first start on a new schema builds indexes
  grep -q "Haven is serving at" "$tmp/haven.out" 2>/dev/null && break
  kill -0 "$haven_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q "Haven is serving at" "$tmp/haven.out" || { echo "bench: haven serve did not start" >&2; tail -5 "$tmp/haven.log" >&2; exit 1; }
url="http://127.0.0.1:$port"

wrk_for() { # TARGET -> wrk arguments
  case "$1" in
  file) echo "-t2 -c32 -s bench/incidents-file.lua" ;;
  alert) echo "-t2 -c32 -s bench/incidents-file.lua" ;;
  list-month | list-year) echo "-t2 -c4 -s bench/incidents-list.lua" ;;
  list-page) echo "-t2 -c4 -s bench/incidents-list.lua" ;;
  *) return 1 ;;
  esac
}
desc() {
  case "$1" in
  file) echo "file a report: POST /api/v1/incidents, 32 connections" ;;
  alert) echo "quick alert: POST /api/v1/alerts, 32 connections" ;;
  list-month) echo "list: department + status + 31 days, page of 50 + total, 4 connections" ;;
  list-year) echo "list: department + status + 365 days, page of 50 + total, 4 connections" ;;
  list-page) echo "/incidents HTML page, same filters (31 days), session cookie, 4 connections" ;;
  esac
}
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n = n * 1000; printf "%.2f", n }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

for t in $targets; do wrk_for "$t" >/dev/null || { echo "bench: unknown target $t" >&2; exit 2; }; done
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/results.tsv"
for r in $(seq 1 "$runs"); do
  for t in $targets; do
    sleep 1
    envs=()
    case "$t" in
    alert) envs=(BENCH_ALERTS=1) ;;
    list-month) envs=(BENCH_LIST_RANGE=month) ;;
    list-year) envs=(BENCH_LIST_RANGE=year) ;;
    list-page) envs=(BENCH_PAGE=1 BENCH_LIST_RANGE=month) ;;
    esac
    out="$tmp/wrk.$t.$r"
    # shellcheck disable=SC2046
    env "${envs[@]}" wrk $(wrk_for "$t") -d"$duration" --latency "$url" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    acked="$(awk '/^acknowledged/ {gsub(/\/s/, "", $NF); print $NF}' "$out")"
    p50="$(to_ms "$(awk '$1 == "50%" {print $2; exit}' "$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" {print $2; exit}' "$out")")"
    bad="$(awk '/^not acknowledged|^non-200/ {print $NF}' "$out")"
    sock="$(awk '/Socket errors/ {sub(/.*Socket errors: /, ""); print}' "$out")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$r" "${acked:-$rps}" "$p50" "$p99" "$bad" "$sock" >>"$tmp/results.tsv"
    printf 'bench: run %s/%s %-11s %9.1f /s  p50 %8s ms  p99 %8s ms  not ok %s%s\n' "$r" "$runs" "$t" "${acked:-$rps}" "$p50" "$p99" "$bad" "${sock:+ ($sock)}" >&2
  done
done
metrics="$(curl -fsS "$url/metrics" | grep -E '^haven_db_group_(commits|writes)_total' | awk '{print $2}' | paste -sd ' ' -)"
{
  echo "| Target | Median /s (acknowledged for writes) | p50 ms | p99 ms | not OK | each run /s |"
  echo "|---|---:|---:|---:|---:|---|"
  for t in $targets; do
    col() { awk -F'\t' -v t="$t" -v c="$1" '$1 == t {print $c}' "$tmp/results.tsv"; }
    each="$(col 3 | awk '{printf "%s%.0f", (NR > 1 ? ", " : ""), $1}')"
    printf '| %s | %.0f | %s | %s | %s | %s |\n' "$(desc "$t")" "$(col 3 | median)" "$(col 4 | median)" "$(col 5 | median)" "$(col 6 | paste -sd+ - | bc)" "$each"
  done
} >"$tmp/table.md"
gc="$(echo "$metrics" | awk '{ if ($1 > 0) printf "%d group commits of %d writes (%.1f per commit)", $1, $2, $2 / $1 }')"
echo
cat "$tmp/table.md"
echo "${gc:+bench: $gc}"
if [ "$record" = 1 ]; then
  envs=""
  for v in HAVEN_BIN BENCH_CITY BENCH_REPORTS BENCH_RUNS BENCH_DURATION BENCH_THREADS BENCH_TARGETS; do
    [ -n "${!v:-}" ] && envs+="$v=$(printf '%q' "${!v}") "
  done
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — incidents at city scale"
    echo
    echo "- Machine: $(nproc) CPUs, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), kernel $(uname -r); load average before the run: $load_before"
    echo "- Haven commit: $commit$dirty, binary \`${haven_bin#"$root"/}\`, \`haven serve --threads $threads\`; city: $HAVEN_BENCH_REPORTS generated reports in \`${city#"$root"/}\`"
    echo "- Command: \`${envs}bench/incidents.sh --record\`, $runs runs per target of $duration, interleaved"
    [ -n "$gc" ] && echo "- SQLite group commit during the runs: $gc"
    echo
    cat "$tmp/table.md"
  } >>"$root/bench/RESULTS.md"
  echo "bench: appended to bench/RESULTS.md" >&2
fi
