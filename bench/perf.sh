#!/usr/bin/env bash
# Performance on realistic traffic, side by side in one run with an idiomatic actix-web service
# of the same endpoints (examples/reference_server.rs: serde, a HashMap behind an RwLock, a user
# index) serving the same 1,000 users and 10,000 sessions: gets over every session, lists over
# every user, a mixed run with writes, and token minting against `openssl speed rsa2048`.
# A secondary table repeats one get and one list, as single-request figures. Release builds;
# servers pinned to core 0, wrk (16 connections) to core 1; every figure is the median of
# interleaved rounds, with its spread.
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

cargo build --release --quiet --bin clerk-backend-mock --example reference_server

. bench/common.sh

# Starts the mock on a port (see `start`).
start_mock() { # port, extra flags...
  local port=$1; shift
  start "$port" /readyz target/release/clerk-backend-mock --port "$port" --log-level warn "$@"
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

start_mock 18605
small_rss=$rss_kib
kill "$pid"; wait "$pid" 2>/dev/null || true

# The realistic instance, and the reference loaded with the very same sessions.
start_mock 18601 --users 1000 --sessions 10000 --lenient-list
python3 bench/workload.py http://127.0.0.1:18601 "$key" "$work"
start 18600 /v1/sessions/$session target/release/examples/reference_server 18600 "$work/sessions.json" "$key"
# A million sessions, listed user after user (the users of its first 20,000 sessions).
start_mock 18602 --users 100000 --sessions 1000000 --lenient-list
big_rss=$rss_kib
mkdir -p "$work/big"
python3 - "$key" "$work/big/lists.txt" <<'PY'
import json, sys, urllib.request
key, out = sys.argv[1:]
users = set()
for offset in range(0, 20000, 500):
    request = urllib.request.Request(f"http://127.0.0.1:18602/v1/sessions?limit=500&offset={offset}",
                                     headers={"Authorization": f"Bearer {key}"})
    users.update(s["user_id"] for s in json.load(urllib.request.urlopen(request)))
open(out, "w").write("".join(f"GET /v1/sessions?user_id={u}&limit=10\n" for u in sorted(users)))
PY

for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  run_requests ref-get http://127.0.0.1:18600 "$work/gets.txt"
  run_requests get http://127.0.0.1:18601 "$work/gets.txt"
  run_requests ref-list http://127.0.0.1:18600 "$work/lists.txt"
  run_requests list http://127.0.0.1:18601 "$work/lists.txt"
  run_requests list-1M http://127.0.0.1:18602 "$work/big/lists.txt"
  run_requests ref-mixed http://127.0.0.1:18600 "$work/mixed.txt"
  run_requests mixed http://127.0.0.1:18601 "$work/mixed.txt"
  openssl_sign ref-openssl
  run_requests ref-mint http://127.0.0.1:18600 "$work/mints.txt"
  run_requests mint http://127.0.0.1:18601 "$work/mints.txt"
  # Single-request figures: one get and one list, repeated.
  run ref-get-one "http://127.0.0.1:18600/v1/sessions/$session"
  run get-one "http://127.0.0.1:18601/v1/sessions/$session"
  run ref-list-one "http://127.0.0.1:18600/v1/sessions?user_id=$alice&limit=10"
  run list-one "http://127.0.0.1:18601/v1/sessions?user_id=$alice&limit=10"
done

echo "Realistic traffic (1,000 users, 10,000 sessions; the reference serves the same data):"
table ref-get get:ref-get ref-list list:ref-list list-1M:list ref-mixed mixed:ref-mixed \
  ref-openssl ref-mint:ref-openssl mint:ref-openssl
echo
echo "Single requests, repeated (secondary):"
table ref-get-one get-one:ref-get-one ref-list-one list-one:ref-list-one
echo
echo "start-up to ready: $(median_ms "${small_starts[@]}") with the default data, $(median_ms "${big_starts[@]}") with a million sessions"
echo "RSS: $((small_rss / 1024)) MiB with the default data, $((big_rss / 1024)) MiB with a million sessions ($(( (big_rss - small_rss) * 1024 / 1000000 )) bytes per extra session)"
