#!/usr/bin/env bash
# Haven's HTTP benchmark: the same static asset from nginx and from Haven,
# plus Haven's gzip variant, /healthz and the home page, measured with wrk on
# loopback, interleaved, median of several runs. See bench/README.md.
#
#   bench/run.sh            print the table
#   bench/run.sh --record   also append a dated section to bench/RESULTS.md
#
# Environment:
#   HAVEN_BIN         haven binary (default: build/haven, which `make bench` builds)
#   BENCH_RUNS        runs per target, interleaved (default 3, at least 3 recommended)
#   BENCH_DURATION    wrk duration per run (default 10s)
#   BENCH_THREADS     wrk threads (default 2)
#   BENCH_CONNS       wrk connections (default 64)
#   BENCH_HAVEN_LOG   where Haven's stderr (one JSON line per request) goes:
#                     file (default, a file in the temp folder) or null (/dev/null)
#   BENCH_HAVEN_ARGS  extra flags for haven serve, e.g. "--threads 1" (default none)
#   BENCH_TARGETS     space-separated subset of: nginx-static haven-static
#                     haven-static-gzip haven-healthz haven-home (default: all)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

record=0
for a in "$@"; do
  case "$a" in
  --record) record=1 ;;
  -h | --help)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "bench/run.sh: unknown argument '$a' (use --record or --help)" >&2
    exit 2
    ;;
  esac
done

haven_bin="${HAVEN_BIN:-$root/build/haven}"
runs="${BENCH_RUNS:-3}"
duration="${BENCH_DURATION:-10s}"
wrk_threads="${BENCH_THREADS:-2}"
wrk_conns="${BENCH_CONNS:-64}"
haven_log="${BENCH_HAVEN_LOG:-file}"
haven_args="${BENCH_HAVEN_ARGS:-}"
targets="${BENCH_TARGETS:-nginx-static haven-static haven-static-gzip haven-healthz haven-home}"
asset_rel="uswds/css/uswds.min.css"
asset_src="$root/web/dist/$asset_rel"

# Installs wrk, nginx-light and curl on a fresh machine (quiet when present).
scripts/deps.sh --check

if [ ! -x "$haven_bin" ]; then
  echo "bench/run.sh: $haven_bin is not an executable; run 'make build' or set HAVEN_BIN" >&2
  exit 1
fi
if [ ! -f "$asset_src" ]; then
  echo "bench/run.sh: $asset_src is missing; run scripts/assets.sh" >&2
  exit 1
fi
for t in wrk curl nginx; do
  command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || {
    echo "bench/run.sh: $t not found" >&2
    exit 1
  }
done
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
case "$haven_log" in file | null) ;; *)
  echo "bench/run.sh: BENCH_HAVEN_LOG must be file or null" >&2
  exit 2
  ;;
esac

# The commit, read before measuring (the tree may move on during a long run).
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty=""
[ -n "$(git status --porcelain -- src meson.build 2>/dev/null)" ] && dirty=" (with uncommitted changes in src/)"

tmp="$(mktemp -d /tmp/haven-bench.XXXXXX)"
haven_pid=""
nginx_pid=""
cleanup() {
  set +e
  if [ -n "$haven_pid" ] && kill -0 "$haven_pid" 2>/dev/null; then
    kill -TERM "$haven_pid"
    wait "$haven_pid" 2>/dev/null
  fi
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -TERM "$nginx_pid"
    wait "$nginx_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] &&
      ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "bench/run.sh: no free port found" >&2
  return 1
}

wait_http() { # URL SECONDS
  for _ in $(seq 1 $(($2 * 10))); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  return 1
}

# --- Haven -----------------------------------------------------------------
haven_port="$(free_port)"
"$haven_bin" demo --data "$tmp/data" >"$tmp/demo.log" 2>&1 || {
  echo "bench/run.sh: haven demo failed:" >&2
  cat "$tmp/demo.log" >&2
  exit 1
}
if [ "$haven_log" = null ]; then haven_err=/dev/null; else haven_err="$tmp/haven.log"; fi
# shellcheck disable=SC2086
"$haven_bin" serve --data "$tmp/data" --listen "127.0.0.1:$haven_port" $haven_args \
  >"$tmp/haven.out" 2>"$haven_err" &
haven_pid=$!
for _ in $(seq 1 100); do
  grep -q "Haven is serving at" "$tmp/haven.out" 2>/dev/null && break
  kill -0 "$haven_pid" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q "Haven is serving at" "$tmp/haven.out" 2>/dev/null; then
  echo "bench/run.sh: haven serve did not start:" >&2
  cat "$tmp/haven.out" >&2
  [ "$haven_log" = file ] && tail -5 "$tmp/haven.log" >&2
  exit 1
fi
haven="http://127.0.0.1:$haven_port"
asset_path="$(curl -fsS "$haven/" | grep -o 'href="[^"]*/uswds\.min\.css"' | head -1 | sed 's/^href="//; s/"$//')"
if [ -z "$asset_path" ]; then
  echo "bench/run.sh: could not find the href of uswds.min.css in Haven's home page" >&2
  exit 1
fi

# --- nginx -----------------------------------------------------------------
nginx_port="$(free_port)"
while [ "$nginx_port" = "$haven_port" ]; do nginx_port="$(free_port)"; done
mkdir -p "$tmp/nginx/www/static" "$tmp/nginx/logs" "$tmp/nginx/tmp"
cp "$asset_src" "$tmp/nginx/www/static/uswds.min.css"
# Workers run as an unprivileged user when nginx starts as root: let them read.
chmod 755 "$tmp" "$tmp/nginx" "$tmp/nginx/www" "$tmp/nginx/www/static"
chmod 644 "$tmp/nginx/www/static/uswds.min.css"
sed -e "s|@PREFIX@|$tmp/nginx|g" -e "s|@PORT@|$nginx_port|g" \
  "$root/bench/nginx.conf.in" >"$tmp/nginx/nginx.conf"
"$nginx_bin" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log" \
  >"$tmp/nginx/logs/stdout.log" 2>&1 &
nginx_pid=$!
nginx="http://127.0.0.1:$nginx_port"
if ! wait_http "$nginx/static/uswds.min.css" 10; then
  echo "bench/run.sh: nginx did not start:" >&2
  cat "$tmp/nginx/logs/stdout.log" "$tmp/nginx/logs/error.log" >&2 2>/dev/null
  exit 1
fi

# --- sanity: identical bytes, expected encodings ---------------------------
curl -fsS -o "$tmp/a.nginx" "$nginx/static/uswds.min.css"
curl -fsS -o "$tmp/a.haven" "$haven$asset_path"
if ! cmp -s "$tmp/a.nginx" "$tmp/a.haven"; then
  echo "bench/run.sh: nginx and Haven serve different bytes for the asset" >&2
  exit 1
fi
gz_enc="$(curl -fsS -H 'Accept-Encoding: gzip' -o "$tmp/a.gz" -D - "$haven$asset_path" |
  tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding"{print $2}')"
if [ "$gz_enc" != gzip ] || ! gunzip -c <"$tmp/a.gz" | cmp -s - "$tmp/a.haven"; then
  echo "bench/run.sh: Haven's gzip variant is missing or wrong" >&2
  exit 1
fi
asset_bytes="$(wc -c <"$tmp/a.haven" | tr -d ' ')"
gz_bytes="$(wc -c <"$tmp/a.gz" | tr -d ' ')"
home_bytes="$(curl -fsS "$haven/" | wc -c | tr -d ' ')"
rm -f "$tmp/a.nginx" "$tmp/a.haven" "$tmp/a.gz"

# --- measuring -------------------------------------------------------------
target_url() {
  case "$1" in
  nginx-static) echo "$nginx/static/uswds.min.css" ;;
  haven-static | haven-static-gzip) echo "$haven$asset_path" ;;
  haven-healthz) echo "$haven/healthz" ;;
  haven-home) echo "$haven/" ;;
  *) return 1 ;;
  esac
}
target_desc() {
  case "$1" in
  nginx-static) echo "nginx: static asset (${asset_bytes} B, sendfile)" ;;
  haven-static) echo "Haven: static asset (${asset_bytes} B)" ;;
  haven-static-gzip) echo "Haven: static asset, gzip (${gz_bytes} B)" ;;
  haven-healthz) echo "Haven: /healthz" ;;
  haven-home) echo "Haven: home page / (${home_bytes} B, template + 1 query)" ;;
  esac
}
for t in $targets; do
  target_url "$t" >/dev/null || {
    echo "bench/run.sh: unknown target '$t'" >&2
    exit 2
  }
done

# Latency as wrk prints it (850.00us, 1.23ms, 2.01s) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000;
    else if (v ~ /s$/) n = n * 1000
    printf "%.3f", n }'
}
median() { # numbers on stdin
  sort -g | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# CPU time (utime + stime, all threads) of the server processes, in clock ticks.
clk_tck="$(getconf CLK_TCK)"
cpu_ticks() {
  local p sum=0 t
  for p in "$@"; do
    t="$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)"
    sum=$((sum + t))
  done
  echo "$sum"
}
nginx_pids="$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
wrk_cmd="wrk -t$wrk_threads -c$wrk_conns -d$duration --latency"
echo "bench: Haven $haven (pid $haven_pid, stderr to $haven_log), nginx $nginx (pid $nginx_pid)" >&2
echo "bench: $runs runs of '$wrk_cmd' per target, interleaved" >&2
: >"$tmp/results.tsv"
for r in $(seq 1 "$runs"); do
  for t in $targets; do
    url="$(target_url "$t")"
    sleep 1 # let the server finish closing the previous run's connections
    hdr=()
    [ "$t" = haven-static-gzip ] && hdr=(-H 'Accept-Encoding: gzip')
    out="$tmp/wrk.$t.$r"
    case "$t" in nginx-*) spids="$nginx_pids" ;; *) spids="$haven_pid" ;; esac
    # shellcheck disable=SC2086
    c0="$(cpu_ticks $spids)"
    wrk -t"$wrk_threads" -c"$wrk_conns" -d"$duration" --latency "${hdr[@]}" "$url" >"$out" 2>&1 || {
      echo "bench/run.sh: wrk failed against $url:" >&2
      cat "$out" >&2
      exit 1
    }
    # shellcheck disable=SC2086
    c1="$(cpu_ticks $spids)"
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    nreq="$(awk '/requests in/ {print $1; exit}' "$out")"
    cpu="$(awk -v a="$c0" -v b="$c1" -v n="$nreq" -v hz="$clk_tck" 'BEGIN {printf "%.2f", n ? (b - a) * 1e6 / hz / n : 0}')"
    p50="$(to_ms "$(awk '$1 == "50%" {print $2; exit}' "$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" {print $2; exit}' "$out")")"
    errs="$(awk '/Socket errors:/ {sub(/.*Socket errors: /, ""); print} /Non-2xx/ {print "non-2xx " $NF}' "$out" | paste -sd ';' -)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$r" "$rps" "$p50" "$p99" "$errs" "$cpu" >>"$tmp/results.tsv"
    printf 'bench: run %s/%s %-18s %10.0f req/s  p50 %8s ms  p99 %8s ms  server CPU %7s us/req%s\n' \
      "$r" "$runs" "$t" "$rps" "$p50" "$p99" "$cpu" "${errs:+  ($errs)}" >&2
  done
done

# --- table -----------------------------------------------------------------
nginx_static_rps=""
if grep -q '^nginx-static	' "$tmp/results.tsv"; then
  nginx_static_rps="$(awk -F'\t' '$1 == "nginx-static" {print $3}' "$tmp/results.tsv" | median)"
fi
{
  echo "| Target | Median req/s | vs nginx static | p50 ms | p99 ms | Server CPU µs/req | req/s of each run |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  for t in $targets; do
    col() { awk -F'\t' -v t="$t" -v c="$1" '$1 == t {print $c}' "$tmp/results.tsv"; }
    rps="$(col 3 | median)"
    p50="$(col 4 | median)"
    p99="$(col 5 | median)"
    cpu="$(col 7 | median)"
    each="$(col 3 | awk '{printf "%s%.0f", (NR > 1 ? ", " : ""), $1}')"
    rel="-"
    if [ -n "$nginx_static_rps" ]; then
      case "$t" in *-static*) rel="$(awk -v a="$rps" -v b="$nginx_static_rps" 'BEGIN {printf "%.2fx", a / b}')" ;; esac
    fi
    errs="$(col 6 | grep -v '^$' | sort -u | paste -sd ';' - || true)"
    printf '| %s | %.0f | %s | %.2f | %.2f | %.1f | %s%s |\n' "$(target_desc "$t")" "$rps" "$rel" \
      "$p50" "$p99" "$cpu" "$each" "${errs:+ (errors: $errs)}"
  done
} >"$tmp/table.md"

if [ "$haven_log" = file ]; then
  nwarn="$(grep -c '"level":"\(warn\|error\)"' "$tmp/haven.log" || true)"
  if [ "$nwarn" != 0 ]; then
    echo "bench: Haven logged $nwarn warnings or errors; the first:" >&2
    grep -m3 '"level":"\(warn\|error\)"' "$tmp/haven.log" >&2
  fi
fi
echo
cat "$tmp/table.md"

if [ "$record" = 1 ]; then
  cmdline="bench/run.sh --record"
  envs=""
  for v in HAVEN_BIN BENCH_RUNS BENCH_DURATION BENCH_THREADS BENCH_CONNS BENCH_HAVEN_LOG BENCH_HAVEN_ARGS BENCH_TARGETS; do
    [ -n "${!v:-}" ] && envs+="$v=$(printf '%q' "${!v}") "
  done
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- Machine: $(nproc) CPUs, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), kernel $(uname -r); load average before the run: $load_before"
    echo "- Haven commit: $commit$dirty, binary \`${haven_bin#"$root"/}\`; stderr (request log) to $haven_log"
    echo "- nginx: $("$nginx_bin" -v 2>&1 | sed 's/nginx version: //'), 1 worker, sendfile on, gzip off"
    echo "- Command: \`${envs}$cmdline\`, each run \`$wrk_cmd URL\`, $runs runs per target, interleaved"
    echo
    cat "$tmp/table.md"
  } >>"$root/bench/RESULTS.md"
  echo >&2
  echo "bench: appended to bench/RESULTS.md" >&2
fi
