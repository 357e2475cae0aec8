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

cargo build --release --quiet --bin clerk-sessions-mock --example bare_reference

. bench/common.sh

# Starts the mock on a port (see `start`).
start_mock() { # port, extra flags...
  local port=$1; shift
  start "$port" /readyz target/release/clerk-sessions-mock --port "$port" --log-level warn "$@"
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
wait_ready 18600 /v1/sessions

for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  run ref-get "http://127.0.0.1:18600/v1/sessions/$session"
  run get "http://127.0.0.1:18601/v1/sessions/$session"
  # The reference is sent the very request the mock is, query and all: parsing it is actix's
  # work, the same for both.
  run ref-list "http://127.0.0.1:18600/v1/sessions?user_id=$alice&limit=10"
  run list "http://127.0.0.1:18601/v1/sessions?user_id=$alice&limit=10"
  # The same user, with the same sessions, in an instance of a million: only the instance grew.
  run list-1M "http://127.0.0.1:18602/v1/sessions?user_id=$alice&limit=10"
  run ref-sign "http://127.0.0.1:18600/v1/sessions/$session/tokens" POST
  run mint "http://127.0.0.1:18601/v1/sessions/$session/tokens" POST
  run mixed "http://127.0.0.1:18601" GET bench/mixed.lua
done

table ref-get get:ref-get ref-list list:ref-list list-1M:ref-list ref-sign mint:ref-sign mixed
python3 - "$work/results" <<'PY'
import statistics, sys
rps = {}
for line in open(sys.argv[1]):
    name, value, *_ = line.split()
    rps.setdefault(name, []).append(float(value))
print(f"\nlist-1M vs list: {statistics.median(rps['list-1M']) / statistics.median(rps['list']) * 100:.0f}%")
PY
echo "start-up to ready: $(median_ms "${small_starts[@]}") with the default data, $(median_ms "${big_starts[@]}") with a million sessions"
echo "RSS: $((small_rss / 1024)) MiB with the default data, $((big_rss / 1024)) MiB with a million sessions ($(( (big_rss - small_rss) * 1024 / 1000000 )) bytes per extra session)"
