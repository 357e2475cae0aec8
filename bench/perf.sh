#!/usr/bin/env bash
# Performance, measured side by side with a bare actix-web reference (examples/bare_reference.rs)
# in one run: get, list (a small and a million-session instance), token minting against one
# RS256 signature, and mixed traffic with revokes. Release builds; servers pinned to core 0, wrk
# to core 1; every figure is the median of interleaved runs, with its spread.
#
# Usage: bench/perf.sh [seconds per run, default 10] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
rounds=${2:-3}
key=sk_test_clerk_sessions_mock_default_key
alice=user_2AlicexBGaRy7HSnjHcaZabMn26
session=sess_2AliceActiveZICgVFaEP1MWWEP
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin clerk-sessions-mock --example bare_reference

# This script (and the polls below) runs on core 1, beside wrk, away from the servers on core 0.
taskset -cp 1 $$ >/dev/null

# Waits until the server on a port answers /readyz with 200. Polls with bash's own /dev/tcp, so
# that polling launches no process and the figure is the server's start-up, not curl's. Until the
# port is open a poll costs the server nothing; once it answers (503 while seeding), polls are
# spaced so that answering them does not slow the seeding being measured.
wait_ready() { # port
  local status
  while :; do
    if { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
      printf 'GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n' >&3
      read -r status <&3 || status=
      exec 3<&-
      [[ $status == *" 200"* ]] && return
      sleep 0.002
    fi
  done
}

# Starts the mock on a port and sets `pid`, `started_ms` (launch to a ready /readyz) and `rss_kib`.
start_mock() { # port, extra flags...
  local port=$1; shift
  local started=$(date +%s%N)
  taskset -c 0 target/release/clerk-sessions-mock --port "$port" --log-level warn "$@" >/dev/null 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_ready "$port"
  started_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  rss_kib=$(ps -o rss= -p "$pid" | tr -d ' ')
}

# Start-up, launch after launch: five with the default data, one per round with a million.
small_starts=() big_starts=()
for launch in 1 2 3 4 5; do
  start_mock 18603
  small_starts+=("$started_ms")
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
for round in $(seq "$rounds"); do
  start_mock 18604 --users 100000 --sessions 1000000
  big_starts+=("$started_ms")
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

start_mock 18601
small_rss=$rss_kib
start_mock 18602 --users 100000 --sessions 1000000
big_rss=$rss_kib
auth=(-H "Authorization: Bearer $key")
curl -sf "${auth[@]}" "http://127.0.0.1:18601/v1/sessions/$session" > "$work/get.json"
curl -sf "${auth[@]}" "http://127.0.0.1:18601/v1/sessions?user_id=$alice&limit=10" > "$work/list.json"
taskset -c 0 target/release/examples/bare_reference 18600 "$work/get.json" "$work/list.json" &
pids+=($!)
until curl -sf -o /dev/null "http://127.0.0.1:18600/v1/sessions"; do sleep 0.01; done

run() { # name url [method] [script]
  local name=$1 url=$2 method=${3:-GET}
  local script="$work/$name.lua"
  printf 'wrk.method = "%s"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.headers["Content-Type"] = "application/json"\n' "$method" "$key" > "$script"
  [ "$method" = POST ] && printf 'wrk.body = "{}"\n' >> "$script"
  [ -n "${4:-}" ] && script=$4
  KEY=$key taskset -c 1 wrk -t1 -c16 -d"${duration}s" --latency -s "$script" "$url" |
    awk -v name="$name" '
      /Requests\/sec/ {rps=$2}
      /^ +50%/ {p50=$2}
      /^ +99%/ {p99=$2}
      /Non-2xx/ {errors=$NF}
      END {printf "%s %s %s %s %d\n", name, rps, p50, p99, errors+0}' >> "$work/results"
}

for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  run ref-get "http://127.0.0.1:18600/v1/sessions/$session"
  run get "http://127.0.0.1:18601/v1/sessions/$session"
  run ref-list "http://127.0.0.1:18600/v1/sessions"
  run list "http://127.0.0.1:18601/v1/sessions?user_id=$alice&limit=10"
  # The same user, with the same sessions, in an instance of a million: only the instance grew.
  run list-1M "http://127.0.0.1:18602/v1/sessions?user_id=$alice&limit=10"
  run ref-sign "http://127.0.0.1:18600/v1/sessions/$session/tokens" POST
  run mint "http://127.0.0.1:18601/v1/sessions/$session/tokens" POST
  run mixed "http://127.0.0.1:18601" GET bench/mixed.lua
done

python3 - "$work/results" "${small_starts[*]}" "$small_rss" "${big_starts[*]}" "$big_rss" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, p50, p99, errors = line.split()
    rows.setdefault(name, []).append((float(rps), p50, p99, int(errors)))
def median(name):
    runs = sorted(rows[name])
    rps = [r[0] for r in runs]
    mid = runs[len(runs) // 2]
    return statistics.median(rps), min(rps), max(rps), mid[1], mid[2], sum(r[3] for r in runs)
reference = {"get": "ref-get", "list": "ref-list", "list-1M": "ref-list", "mint": "ref-sign"}
print(f"{'case':<10} {'req/s (median)':>15} {'spread':>17} {'p50':>9} {'p99':>9} {'errors':>7} {'vs reference':>13}")
for name in ["ref-get", "get", "ref-list", "list", "list-1M", "ref-sign", "mint", "mixed"]:
    rps, low, high, p50, p99, errors = median(name)
    ratio = ""
    if name in reference:
        ratio = f"{rps / median(reference[name])[0] * 100:.0f}%"
    print(f"{name:<10} {rps:>15,.0f} {f'{low:,.0f}-{high:,.0f}':>17} {p50:>9} {p99:>9} {errors:>7} {ratio:>13}")
list_small, list_big = median("list")[0], median("list-1M")[0]
print(f"\nlist-1M vs list: {list_big / list_small * 100:.0f}%")
def starts(text):
    values = [int(v) for v in text.split()]
    return f"{statistics.median(values):.0f} ms (spread {min(values)}-{max(values)})"
print(f"start-up to ready: {starts(sys.argv[2])} with the default data, {starts(sys.argv[4])} with a million sessions")
small, big = int(sys.argv[3]), int(sys.argv[5])
print(f"RSS: {small / 1024:.1f} MiB with the default data, {big / 1024:.0f} MiB with a million sessions "
      f"({(big - small) * 1024 / 1_000_000:.0f} bytes per extra session)")
PY
