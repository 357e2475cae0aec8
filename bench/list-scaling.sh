#!/usr/bin/env bash
# List-by-user throughput with 100 sessions in the instance and with a million: an index keeps
# the two within noise of each other. Builds in release mode, pins the server to core 0 and wrk
# to core 1, runs each load for a bounded time against 127.0.0.1 only.
#
# Usage: bench/list-scaling.sh [seconds per run, default 10] [runs per size, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
runs=${2:-3}
port=18181
key=sk_test_clerk_sessions_mock_default_key
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
server=target/release/clerk-backend-mock

start_server() { # users sessions
  taskset -c 0 "$server" --port "$port" --users "$1" --sessions "$2" --lenient-list --log-level warn >/dev/null &
  pid=$!
  local started=$(date +%s%N)
  until curl -sf "$base/readyz" >/dev/null; do sleep 0.02; done
  echo "  ready in $(( ($(date +%s%N) - started) / 1000000 )) ms, RSS $(( $(ps -o rss= -p "$pid") / 1024 )) MiB" >&2
}

stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

# A generated user: the owner of the newest session of the instance.
generated_user() {
  curl -sf "$base/v1/sessions?limit=1&offset=50" -H "Authorization: Bearer $key" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["user_id"])'
}

measure() { # label user
  local url="$base/v1/sessions?user_id=$2&limit=10"
  for run in $(seq "$runs"); do
    taskset -c 1 wrk -t1 -c16 -d"${duration}s" -H "Authorization: Bearer $key" --latency "$url" |
      awk -v label="$1" -v run="$run" '
        /Requests\/sec/ {rps=$2}
        /^ +50%/ {p50=$2}
        /^ +99%/ {p99=$2}
        /Non-2xx/ {errors=$NF}
        END {printf "%-28s run %d  %10.0f req/s  p50 %8s  p99 %8s  errors %s\n", label, run, rps, p50, p99, errors+0}'
  done
}

for size in "10 100" "100000 1000000"; do
  set -- $size
  echo "instance with $2 generated sessions ($1 users):" >&2
  start_server "$1" "$2"
  user=$(generated_user)
  measure "$2 sessions, generated user" "$user"
  measure "$2 sessions, fixture user" user_2AlicexBGaRy7HSnjHcaZabMn26
  stop_server
done
