#!/usr/bin/env bash
# Haven's Know-Your-Rights surge benchmark: a published topic page under
# wrk with 256 connections, gzip accepted like a phone, from Haven and from
# nginx serving the same bytes from files, in the same run; and a signed-in
# staff client on /incidents and /api/v1/incidents with and without the
# surge. Interleaved rounds, median of several runs. See bench/README.md.
#
#   bench/kyr.sh            print the tables
#   bench/kyr.sh --record   also append a dated section to bench/RESULTS.md
#
# Environment:
#   HAVEN_BIN          haven binary (default build/haven); haven-bench-gen is
#                      taken from the same folder
#   BENCH_RUNS         runs per target, interleaved (default 3)
#   BENCH_DURATION     wrk duration per run (default 20s)
#   BENCH_CONNS        wrk connections for the page (default 256; wrk -t2)
#   BENCH_KYR_PAGE     the page (default /kyr/es/at-the-door)
#   BENCH_KYR_THREADS  Haven `threads` settings to measure, one haven serve
#                      each (default "0": Haven's default, one per core);
#                      e.g. "1 2 8 32"
#   BENCH_NGINX_WORKERS  nginx worker_processes (default: nproc, the same
#                      as Haven's default threads)
#   BENCH_STAFF_DELAY  ms each staff connection waits between requests
#                      (default 50; 4 connections, wrk -t1 -c4)
#   BENCH_KYR_REPORTS  incident reports generated for the staff lists
#                      (default 20000)
#   BENCH_HAVEN_LOG    Haven's stderr (request log): file (default) or null
#   BENCH_HAVEN_ARGS   extra flags for every haven serve
#   BENCH_TARGETS      subset of: nginx haven surge staff (default: all)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

record=0
for a in "$@"; do
  case "$a" in
  --record) record=1 ;;
  -h | --help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "bench/kyr.sh: unknown argument '$a' (use --record or --help)" >&2; exit 2 ;;
  esac
done

haven_bin="${HAVEN_BIN:-$root/build/haven}"
gen_bin="$(dirname "$haven_bin")/haven-bench-gen"
[ -x "$gen_bin" ] || gen_bin="$root/build/haven-bench-gen"
runs="${BENCH_RUNS:-3}"
duration="${BENCH_DURATION:-20s}"
conns="${BENCH_CONNS:-256}"
page="${BENCH_KYR_PAGE:-/kyr/es/at-the-door}"
thread_settings="${BENCH_KYR_THREADS:-0}"
nginx_workers="${BENCH_NGINX_WORKERS:-$(nproc)}"
staff_delay="${BENCH_STAFF_DELAY:-50}"
nreports="${BENCH_KYR_REPORTS:-20000}"
haven_log="${BENCH_HAVEN_LOG:-file}"
haven_args="${BENCH_HAVEN_ARGS:-}"
targets="${BENCH_TARGETS:-nginx haven surge staff}"
# What a phone sends; both servers answer with the precompressed page.
accept_enc="Accept-Encoding: gzip, deflate, br"

# wrk, nginx and curl are benchmark-only: make check does not need them, so
# they are installed here (through scripts/deps.sh --check) when missing.
scripts/deps.sh --check
for t in wrk curl nginx; do
  command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "bench/kyr.sh: $t not found" >&2; exit 1; }
done
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$haven_bin" ] || { echo "bench/kyr.sh: $haven_bin is not executable; run make build" >&2; exit 1; }
[ -x "$gen_bin" ] || { echo "bench/kyr.sh: haven-bench-gen not found beside $haven_bin" >&2; exit 1; }
case "$haven_log" in file | null) ;; *) echo "bench/kyr.sh: BENCH_HAVEN_LOG must be file or null" >&2; exit 2 ;; esac
for t in $targets; do
  case "$t" in nginx | haven | surge | staff) ;; *) echo "bench/kyr.sh: unknown target '$t'" >&2; exit 2 ;; esac
done

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty=""
[ -n "$(git status --porcelain -- src meson.build 2>/dev/null)" ] && dirty=" (with uncommitted changes in src/)"

tmp="$(mktemp -d /tmp/haven-bench-kyr.XXXXXX)"
haven_pids=()
nginx_pid=""
staff_pid=""
cleanup() {
  set +e
  [ -n "$staff_pid" ] && kill -0 "$staff_pid" 2>/dev/null && kill -TERM "$staff_pid"
  for p in "${haven_pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then kill -TERM "$p"; wait "$p" 2>/dev/null; fi
  done
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then kill -TERM "$nginx_pid"; wait "$nginx_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

used_ports=" "
free_port() { # a TCP port on 127.0.0.1 that nothing listens on
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    case "$used_ports" in *" $p "*) continue ;; esac
    if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      used_ports+="$p "
      echo "$p"
      return 0
    fi
  done
  echo "bench/kyr.sh: no free port found" >&2
  return 1
}

# --- the city: demo content (published KYR topics) and staff credentials ----
"$haven_bin" demo --data "$tmp/data" >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log" >&2; exit 1; }
"$gen_bin" --data "$tmp/data" --reports "$nreports" >"$tmp/gen.log" 2>&1 || { cat "$tmp/gen.log" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
. "$tmp/data/bench.env"
set +a

# --- Haven: one haven serve per threads setting, all on the same data -------
# per_ip_connections: every wrk connection comes from 127.0.0.1, while in a
# real surge each phone has its own address; the default (64) would refuse
# most of wrk's 256.
declare -A haven_url haven_pid_of
for th in $thread_settings; do
  port="$(free_port)"
  if [ "$haven_log" = null ]; then err=/dev/null; else err="$tmp/haven-$th.log"; fi
  # shellcheck disable=SC2086
  "$haven_bin" serve --data "$tmp/data" --listen "127.0.0.1:$port" --threads "$th" \
    --per-ip-connections $((conns * 2 + 64)) $haven_args >"$tmp/haven-$th.out" 2>"$err" &
  haven_pids+=("$!")
  haven_pid_of[$th]=$!
  for _ in $(seq 1 100); do
    grep -q "Haven is serving at" "$tmp/haven-$th.out" 2>/dev/null && break
    kill -0 "${haven_pid_of[$th]}" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "Haven is serving at" "$tmp/haven-$th.out" || { echo "bench/kyr.sh: haven serve --threads $th did not start" >&2; [ -f "$tmp/haven-$th.log" ] && tail -5 "$tmp/haven-$th.log" >&2; exit 1; }
  haven_url[$th]="http://127.0.0.1:$port"
done
first_th="${thread_settings%% *}"
haven="${haven_url[$first_th]}"
threads_of() { # setting -> worker threads Haven runs
  if [ "$1" = 0 ]; then nproc; else echo "$1"; fi
}

# --- the page's bytes, plain and gzip, written to files for nginx -----------
lang="$(echo "$page" | cut -d/ -f3)"
mkdir -p "$tmp/nginx/www$(dirname "$page")" "$tmp/nginx/logs" "$tmp/nginx/tmp"
curl -fsS -D "$tmp/h.plain" -o "$tmp/nginx/www$page" "$haven$page" || { echo "bench/kyr.sh: $haven$page did not answer 200" >&2; exit 1; }
curl -fsS -D "$tmp/h.gz" -H "$accept_enc" -o "$tmp/nginx/www$page.gz" "$haven$page"
grep -qi '^content-encoding: gzip' "$tmp/h.gz" || { echo "bench/kyr.sh: Haven did not answer $page with gzip" >&2; exit 1; }
gunzip -c <"$tmp/nginx/www$page.gz" | cmp -s - "$tmp/nginx/www$page" || { echo "bench/kyr.sh: Haven's gzip page differs from the plain one" >&2; exit 1; }
page_bytes="$(wc -c <"$tmp/nginx/www$page" | tr -d ' ')"
gz_bytes="$(wc -c <"$tmp/nginx/www$page.gz" | tr -d ' ')"
# Workers run as an unprivileged user when nginx starts as root: let them read.
chmod 755 "$tmp" "$tmp/nginx"
find "$tmp/nginx/www" -type d -exec chmod 755 {} +
find "$tmp/nginx/www" -type f -exec chmod 644 {} +

# --- nginx ------------------------------------------------------------------
nginx_port="$(free_port)"
sed -e "s|@PREFIX@|$tmp/nginx|g" -e "s|@PORT@|$nginx_port|g" -e "s|@WORKERS@|$nginx_workers|g" \
  -e "s|@LANG@|$lang|g" "$root/bench/nginx-kyr.conf.in" >"$tmp/nginx/nginx.conf"
"$nginx_bin" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log" \
  >"$tmp/nginx/logs/stdout.log" 2>&1 &
nginx_pid=$!
nginx="http://127.0.0.1:$nginx_port"
for _ in $(seq 1 100); do curl -fs -o /dev/null "$nginx$page" && break; sleep 0.1; done

# --- both answer 200 with identical bodies, plain and gzip ------------------
for th in $thread_settings; do
  for u in "$nginx" "${haven_url[$th]}"; do
    code="$(curl -sS -o "$tmp/b.plain" -w '%{http_code}' "$u$page")"
    [ "$code" = 200 ] && cmp -s "$tmp/b.plain" "$tmp/nginx/www$page" || { echo "bench/kyr.sh: $u$page: $code or different bytes" >&2; exit 1; }
    code="$(curl -sS -H "$accept_enc" -o "$tmp/b.gz" -w '%{http_code} %header{content-encoding}' "$u$page")"
    [ "$code" = "200 gzip" ] && cmp -s "$tmp/b.gz" "$tmp/nginx/www$page.gz" || { echo "bench/kyr.sh: $u$page with gzip: $code or different bytes" >&2; exit 1; }
  done
  code="$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: __Host-haven=$HAVEN_BENCH_SESSION" "${haven_url[$th]}/incidents")"
  [ "$code" = 200 ] || { echo "bench/kyr.sh: the staff session gets $code from /incidents" >&2; exit 1; }
done
hdr_haven="$(tr -d '\r' <"$tmp/h.gz" | sed 1d | awk 'NF' | wc -c)"
hdr_nginx="$(curl -sS -D - -o /dev/null -H "$accept_enc" "$nginx$page" | tr -d '\r' | sed 1d | awk 'NF' | wc -c)"

# --- measuring --------------------------------------------------------------
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n;
    else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000; printf "%.3f", n }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
  if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
clk_tck="$(getconf CLK_TCK)"
cpu_ticks() { # utime + stime of the processes, all threads
  local p sum=0 t
  for p in "$@"; do
    t="$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)"
    sum=$((sum + t))
  done
  echo "$sum"
}
cache_counts() { # URL -> "hits misses" of the page cache
  curl -fsS "$1/metrics" | awk '/^haven_pagecache_lookups_total\{result="hit"\}/ {h = $2}
    /^haven_pagecache_lookups_total\{result="miss"\}/ {m = $2} END {print h + 0, m + 0}'
}
nginx_pids="$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')"
page_wrk="wrk -t2 -c$conns -d$duration --latency -H '$accept_enc'"
staff_wrk="wrk -t1 -c4 -d$duration --latency -s bench/kyr-staff.lua"

# run TARGET TH ROUND: one measurement, a line in results.tsv:
# target th round rps p50 p99 cpu_us_per_req hits misses errors staff_rps staff_p50 staff_p99 staff_bad
run() {
  local t="$1" th="$2" r="$3" url spids out="$tmp/wrk.$1.$2.$3" sout="$tmp/staff.$1.$2.$3"
  local c0 c1 k0 k1 rps="" p50="" p99="" cpu="" errs="" hits="" misses="" srps="" sp50="" sp99="" sbad=""
  if [ "$t" = nginx ]; then url="$nginx"; spids="$nginx_pids"; else url="${haven_url[$th]}"; spids="${haven_pid_of[$th]}"; fi
  sleep 1 # let the server close the previous run's connections
  [ "$t" != nginx ] && k0="$(cache_counts "$url")"
  # shellcheck disable=SC2086
  c0="$(cpu_ticks $spids)"
  if [ "$t" = surge ] || [ "$t" = staff ]; then
    BENCH_STAFF_DELAY="$staff_delay" wrk -t1 -c4 -d"$duration" --latency -s bench/kyr-staff.lua "$url" >"$sout" 2>&1 &
    staff_pid=$!
  fi
  if [ "$t" != staff ]; then
    wrk -t2 -c"$conns" -d"$duration" --latency -H "$accept_enc" "$url$page" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
  fi
  if [ -n "$staff_pid" ]; then
    wait "$staff_pid" || { cat "$sout" >&2; exit 1; }
    staff_pid=""
  fi
  # shellcheck disable=SC2086
  c1="$(cpu_ticks $spids)"
  if [ "$t" != staff ]; then
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    local nreq; nreq="$(awk '/requests in/ {print $1; exit}' "$out")"
    cpu="$(awk -v a="$c0" -v b="$c1" -v n="$nreq" -v hz="$clk_tck" 'BEGIN {printf "%.2f", n ? (b - a) * 1e6 / hz / n : 0}')"
    p50="$(to_ms "$(awk '$1 == "50%" {print $2; exit}' "$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" {print $2; exit}' "$out")")"
    errs="$(awk '/Socket errors:/ {sub(/.*Socket errors: /, ""); print} /Non-2xx/ {print "non-2xx " $NF}' "$out" | paste -sd ';' -)"
  fi
  if [ "$t" != nginx ]; then
    k1="$(cache_counts "$url")"
    hits="$(( ${k1% *} - ${k0% *} ))"
    misses="$(( ${k1#* } - ${k0#* } ))"
  fi
  if [ -f "$sout" ]; then
    srps="$(awk '/^Requests\/sec:/ {print $2}' "$sout")"
    sp50="$(to_ms "$(awk '$1 == "50%" {print $2; exit}' "$sout")")"
    sp99="$(to_ms "$(awk '$1 == "99%" {print $2; exit}' "$sout")")"
    sbad="$(awk '/^non-200:/ {print $2}' "$sout")"
    local se; se="$(awk '/Socket errors:/ {sub(/.*Socket errors: /, ""); print}' "$sout")"
    [ -n "$se" ] && sbad="$sbad ($se)"
    # no answer at all in the run: say so (its latencies read 0)
    [ "$(awk '/requests in/ {print $1; exit}' "$sout")" = 0 ] && sbad="$sbad (no answer in the run)"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$th" "$r" "$rps" "$p50" "$p99" \
    "$cpu" "$hits" "$misses" "$errs" "$srps" "$sp50" "$sp99" "$sbad" >>"$tmp/results.tsv"
  printf 'bench: run %s/%s %-6s threads=%-3s page %9s req/s p50 %7s p99 %7s ms cpu %6s us/req cache %s/%s%s | staff %6s req/s p50 %7s p99 %7s ms%s  (load %s)\n' \
    "$r" "$runs" "$t" "$th" "${rps:--}" "${p50:--}" "${p99:--}" "${cpu:--}" "${hits:--}" "${misses:--}" \
    "${errs:+ ($errs)}" "${srps:--}" "${sp50:--}" "${sp99:--}" "${sbad:+ non-200 $sbad}" "$(cut -d' ' -f1 /proc/loadavg)" >&2
}

loads=""
: >"$tmp/results.tsv"
echo "bench: page $page ($page_bytes B, gzip $gz_bytes B); nginx $nginx ($nginx_workers workers); Haven $(for th in $thread_settings; do printf '%s (threads %s) ' "${haven_url[$th]}" "$(threads_of "$th")"; done)" >&2
echo "bench: $runs rounds of: $page_wrk; staff: $staff_wrk, $staff_delay ms between requests" >&2
for r in $(seq 1 "$runs"); do
  loads+="$(cut -d' ' -f1 /proc/loadavg) "
  for t in $targets; do
    if [ "$t" = nginx ]; then run nginx - "$r"; continue; fi
    for th in $thread_settings; do run "$t" "$th" "$r"; done
  done
done

# --- tables -----------------------------------------------------------------
col() { awk -F'\t' -v t="$1" -v th="$2" -v c="$3" '$1 == t && $2 == th && $c != "" {print $c}' "$tmp/results.tsv"; }
nginx_rps=""
grep -q '^nginx	' "$tmp/results.tsv" && nginx_rps="$(col nginx - 4 | median)"
{
  echo "| Target | Median req/s | vs nginx | p50 ms | p99 ms | Server CPU µs/req | page cache hits / misses | req/s of each run |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  for t in nginx haven surge; do
    case " $targets " in *" $t "*) ;; *) continue ;; esac
    settings="$thread_settings"
    [ "$t" = nginx ] && settings="-"
    for th in $settings; do
      rps="$(col "$t" "$th" 4 | median)"
      rel="-"
      [ -n "$nginx_rps" ] && rel="$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {printf "%.2fx", a / b}')"
      each="$(col "$t" "$th" 4 | awk '{printf "%s%.0f", (NR > 1 ? ", " : ""), $1}')"
      errs="$(col "$t" "$th" 10 | sort -u | paste -sd ';' - || true)"
      case "$t" in
      nginx) name="nginx: the page from files ($nginx_workers workers, sendfile, gzip_static)"; cache="-" ;;
      haven) name="Haven $page (threads $(threads_of "$th"))" ;;
      surge) name="Haven $page (threads $(threads_of "$th")), staff client beside it" ;;
      esac
      [ "$t" != nginx ] && cache="$(col "$t" "$th" 8 | paste -sd+ - | bc) / $(col "$t" "$th" 9 | paste -sd+ - | bc)"
      printf '| %s | %.0f | %s | %.2f | %.2f | %.1f | %s | %s%s |\n' "$name" "$rps" "$rel" \
        "$(col "$t" "$th" 5 | median)" "$(col "$t" "$th" 6 | median)" "$(col "$t" "$th" 7 | median)" \
        "$cache" "$each" "${errs:+ (errors: $errs)}"
    done
  done
  if case " $targets " in *" surge "* | *" staff "*) true ;; *) false ;; esac; then
    echo
    echo "| Staff client (GET /incidents and /api/v1/incidents, 4 connections, $staff_delay ms between requests) | Median req/s | p50 ms | p99 ms | non-200 | p99 ms of each run |"
    echo "|---|---:|---:|---:|---:|---|"
    for th in $thread_settings; do
      for t in staff surge; do
        case " $targets " in *" $t "*) ;; *) continue ;; esac
        if [ "$t" = staff ]; then what="quiet (no surge)"; else what="during the surge ($conns connections on $page)"; fi
        each="$(col "$t" "$th" 13 | awk '{printf "%s%.1f", (NR > 1 ? ", " : ""), $1}')"
        printf '| threads %s, %s | %.1f | %.2f | %.2f | %s | %s |\n' "$(threads_of "$th")" "$what" \
          "$(col "$t" "$th" 11 | median)" "$(col "$t" "$th" 12 | median)" "$(col "$t" "$th" 13 | median)" \
          "$(col "$t" "$th" 14 | awk '{s += $1} END {print s + 0}')$(col "$t" "$th" 14 | grep -q 'no answer' && echo ' (a run without any answer)')" "$each"
      done
    done
  fi
} >"$tmp/table.md"

if [ "$haven_log" = file ]; then
  for th in $thread_settings; do
    nwarn="$(grep -c '"level":"\(warn\|error\)"' "$tmp/haven-$th.log" || true)"
    if [ "$nwarn" != 0 ]; then
      echo "bench: Haven (threads $th) logged $nwarn warnings or errors; the first:" >&2
      grep -m3 '"level":"\(warn\|error\)"' "$tmp/haven-$th.log" >&2
    fi
  done
fi
echo
cat "$tmp/table.md"

if [ "$record" = 1 ]; then
  envs=""
  for v in HAVEN_BIN BENCH_RUNS BENCH_DURATION BENCH_CONNS BENCH_KYR_PAGE BENCH_KYR_THREADS BENCH_NGINX_WORKERS \
    BENCH_STAFF_DELAY BENCH_KYR_REPORTS BENCH_HAVEN_LOG BENCH_HAVEN_ARGS BENCH_TARGETS; do
    [ -n "${!v:-}" ] && envs+="$v=$(printf '%q' "${!v}") "
  done
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — Know-Your-Rights page under a surge"
    echo
    echo "- Machine: $(nproc) CPUs, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), kernel $(uname -r); load average (1 min) at the start of each round: $loads"
    echo "- Haven commit: $commit$dirty, binary \`${haven_bin#"$root"/}\`, stderr (request log) to $haven_log; \`haven serve --threads N --per-ip-connections $((conns * 2 + 64))${haven_args:+ $haven_args}\`, other settings default"
    echo "- nginx: $("$nginx_bin" -v 2>&1 | sed 's/nginx version: //'), $nginx_workers workers, sendfile, gzip_static, the same security headers (\`bench/nginx-kyr.conf.in\`)"
    echo "- Page: \`$page\`, $page_bytes B, $gz_bytes B gzip (what both send: \`$accept_enc\`); response headers $hdr_haven B from Haven, $hdr_nginx B from nginx"
    echo "- Command: \`${envs}bench/kyr.sh --record\`; each run \`$page_wrk URL\`; staff client \`$staff_wrk URL\` ($staff_delay ms between requests) alone (quiet) and beside the page's wrk (surge); $runs rounds, interleaved"
    echo
    cat "$tmp/table.md"
  } >>"$root/bench/RESULTS.md"
  echo "bench: appended to bench/RESULTS.md" >&2
fi
