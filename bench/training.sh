#!/usr/bin/env bash
# Haven's training benchmark: a City roster of 50,000 employees and 500,000
# completions (bench/training_gen.mjs) imported through the API, each file
# twice (the second import changes nothing), timed with curl; then the
# coverage pages and API under wrk: one connection for the latency a
# liaison sees, eight for throughput. See bench/README.md.
#
#   bench/training.sh            print the results
#   bench/training.sh --record   also append a dated section to bench/RESULTS.md
#
# Environment:
#   HAVEN_BIN            haven binary (default build/haven)
#   BENCH_DB             database URL (default: SQLite in the temporary folder);
#                        a postgresql:// URL of an empty database measures PostgreSQL
#   BENCH_EMPLOYEES      roster size (default 50000)
#   BENCH_COMPLETIONS    completions (default 500000)
#   BENCH_DURATION       wrk duration per target (default 10s)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
record=0
for a in "$@"; do
  case "$a" in
  --record) record=1 ;;
  -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "bench/training.sh: unknown argument '$a' (use --record or --help)" >&2; exit 2 ;;
  esac
done

haven_bin="${HAVEN_BIN:-$root/build/haven}"
employees="${BENCH_EMPLOYEES:-50000}"
completions="${BENCH_COMPLETIONS:-500000}"
duration="${BENCH_DURATION:-10s}"
scripts/deps.sh --check
for t in wrk curl node; do command -v "$t" >/dev/null || { echo "bench/training.sh: $t not found" >&2; exit 1; }; done
[ -x "$haven_bin" ] || { echo "bench/training.sh: $haven_bin is not executable; run make build" >&2; exit 1; }

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
tmp="$(mktemp -d /tmp/haven-bench-training.XXXXXX)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
db="${BENCH_DB:-sqlite:$tmp/data/haven.db}"
mkdir -p "$tmp/data"
"$haven_bin" demo --data "$tmp/data" --db "$db" >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log" >&2; exit 1; }
port=$((20000 + RANDOM % 20000))
HAVEN_BODY_MAX=$((64 << 20)) "$haven_bin" serve --data "$tmp/data" --db "$db" --listen "127.0.0.1:$port" \
  >"$tmp/serve.out" 2>"$tmp/serve.log" &
pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs -o /dev/null "$url/healthz" && break; sleep 0.1; done

login="$(awk '$1 == "moia" { print $2, $3 }' "$tmp/data/demo-logins.txt")"
email="${login% *}"; password="${login#* }"
curl -fsS -D "$tmp/h" -o "$tmp/session.json" -H 'Content-Type: application/json' -H "Origin: $url" \
  --data "{\"email\":\"$email\",\"password\":\"$password\"}" "$url/api/v1/session"
cookie="$(tr -d '\r' <"$tmp/h" | sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-haven=[^;]*\).*/\1/p')"
csrf="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).csrf)' "$tmp/session.json")"
post() { curl -sS -o "$tmp/out.json" -w '%{http_code} %{time_total}' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  -H "Origin: $url" "$@"; }
for c in ED12:365 ORD188441:365 KYR-STAFF:730 AB450:0 SENSITIVE-PLACES:365; do
  code="$(post -H 'Content-Type: application/json' --data "{\"code\":\"${c%:*}\",\"title\":\"${c%:*}\",\"recurrence_days\":${c#*:}}" "$url/api/v1/training/courses")"
  # 409: the demo city has it already
  [ "${code% *}" = 201 ] || [ "${code% *}" = 409 ] || { echo "bench/training.sh: creating course ${c%:*} answered $code" >&2; cat "$tmp/out.json" >&2; exit 1; }
done

node bench/training_gen.mjs "$tmp" "$employees" "$completions" >/dev/null
rows=()
import() { # kind label
  local r
  r="$(post -H 'Content-Type: text/csv' --data-binary "@$tmp/$1.csv" "$url/api/v1/training/$1")"
  [ "${r% *}" = 200 ] || { echo "bench/training.sh: importing $1 answered ${r% *}" >&2; head -c 600 "$tmp/out.json" >&2; exit 1; }
  rows+=("| $2 | $(wc -l <"$tmp/$1.csv") | $(printf '%.2f' "${r#* }") | \`$(tr -d '\n' <"$tmp/out.json")\` |")
}
import roster "Roster, first import"
import roster "Roster, same file again"
import completions "Completions, first import"
import completions "Completions, same file again"

dept="$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(d.items.sort((a,b)=>b.active-a.active)[0].department)' \
  <(curl -fsS -H "Cookie: $cookie" "$url/api/v1/training/coverage"))"
wrows=()
measure() { # label path connections
  local out
  out="$(wrk -t1 -c"$3" -d"$duration" --latency -H "Cookie: $cookie" "$url$2")"
  local rps p50 p99
  rps="$(awk '/^Requests\/sec/ { printf "%d", $2 }' <<<"$out")"
  p50="$(awk '$1 == "50%" { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
  non2xx="$(awk '/Non-2xx/ { print $NF }' <<<"$out")"
  [ -z "$non2xx" ] || { echo "bench/training.sh: $2 answered $non2xx non-2xx responses" >&2; exit 1; }
  wrows+=("| $1 | $3 | $rps | $p50 | $p99 |")
}
active="$(node -e 'const d=JSON.parse(require("fs").readFileSync(0)); console.log(d.active)' < <(curl -fsS -H "Cookie: $cookie" "$url/api/v1/training/coverage/$dept"))"
for c in 1 8; do
  measure "Page /training (every department)" /training "$c"
  measure "Page /training/departments/$dept ($active active, by unit)" "/training/departments/$dept" "$c"
  measure "API /api/v1/training/coverage/$dept" "/api/v1/training/coverage/$dept" "$c"
  measure "Page overdue list of $dept (first 500)" "/training/departments/$dept/overdue" "$c"
done

backend="SQLite"; case "$db" in postgres*) backend="PostgreSQL" ;; esac
section="$(
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — training: $employees employees, $completions completions ($backend)"
  echo
  echo "- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Haven commit: $commit; command: \`bench/training.sh\` (imports with curl, pages with \`wrk -t1 -cN -d$duration --latency\`)"
  echo
  echo "| Import | Lines | Seconds | Answer |"
  echo "|---|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "| Coverage target | Connections | req/s | p50 | p99 |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s\n' "${wrows[@]}"
)"
echo "$section"
if [ "$record" = 1 ]; then printf '\n%s\n' "$section" >>bench/RESULTS.md; fi
