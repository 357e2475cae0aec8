#!/usr/bin/env bash
# Webhooks off the request path: the API's latency with no endpoint, then with 10 dead endpoints
# (a receiver that accepts connections and never answers) told of every change.
#   - writes: metadata merges spread over every user with sessions, each one a user.updated
#     event for every endpoint (a merge leaves the data's size as it was, so that both runs
#     write to the same instance);
#   - reads: GET /v1/sessions/{id} over 10,000 sessions, beside nothing else.
# Each run is a bounded wrk run (core 1, 16 connections, and the writes again with one) against
# a release build (core 0). Prints req/s, p50 and p99 of each, and what the endpoints' bounded
# queues dropped.
#
# Usage: bench/webhooks.sh [seconds per run, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-15}
port=18184
key=sk_test_clerk_sessions_mock_default_key
base="http://127.0.0.1:$port"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

. bench/common.sh
cargo build --release --quiet --bin clerk-backend-mock

# A receiver that takes every connection and never answers: the deliveries wait for their 5 s
# timeout, then retry.
python3 - "$work/dead-port" <<'PY' &
import socket, sys, threading, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(1024)
open(sys.argv[1], "w").write(str(server.getsockname()[1]))
held = []
while True:
    connection, _ = server.accept()
    held.append(connection)
PY
pids+=($!)
until [ -s "$work/dead-port" ]; do sleep 0.05; done
dead="http://127.0.0.1:$(cat "$work/dead-port")"

start "$port" /readyz target/release/clerk-backend-mock --port "$port" --log-level warn \
  --users 1000 --sessions 10000 --lenient-list
python3 bench/workload.py "$base" "$key" "$work" 2>/dev/null

grep -o 'user_id=[A-Za-z0-9_]*' "$work/lists.txt" | cut -d= -f2 | sort -u |
  sed 's|.*|PATCH /v1/users/&/metadata {"public_metadata":{"seen":1}}|' > "$work/updates.txt"

measure() { # label
  : > "$work/results"
  REQUESTS="$work/updates.txt" run "writes" "$base" GET bench/paths.lua
  # One client at a time: each request's own latency, with no queue in front of it.
  CONNECTIONS=1 REQUESTS="$work/updates.txt" run "writes-1-client" "$base" GET bench/paths.lua
  REQUESTS="$work/gets.txt" run "reads" "$base" GET bench/paths.lua
  while read -r name rps p50 p99 errors; do
    printf '%-18s %-16s %10s req/s  p50 %8s  p99 %8s  non-2xx %s\n' "$1" "$name" "$rps" "$p50" "$p99" "$errors"
  done < "$work/results"
}

measure "no endpoint"
for n in $(seq 1 10); do
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"url\": \"$dead/hook-$n\"}" "$base/__admin/instance/webhooks"
done
measure "10 dead endpoints"
curl -s -H "Authorization: Bearer $key" "$base/__admin/instance/webhooks" | python3 -c '
import json, sys
endpoints = json.load(sys.stdin)["data"]
print("queued per endpoint:", sorted({e["queued"] for e in endpoints}),
      "dropped in all:", sum(e["dropped"] for e in endpoints))'
echo "RSS at the end: $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
