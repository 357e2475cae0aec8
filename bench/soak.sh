#!/usr/bin/env bash
# Soak: a bounded run of mixed traffic (lists, gets, token minting, revokes, JWKS) against a
# release build on 127.0.0.1, reporting errors (must be zero) and memory at the start and end
# (must be flat). Server on core 0, wrk on core 1.
#
# Usage: bench/soak.sh [seconds, default 180]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-180}
port=18182
key=sk_test_clerk_sessions_mock_default_key

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
taskset -c 0 target/release/clerk-backend-mock --port "$port" --log-level warn >/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.05; done

rss() { echo $(( $(ps -o rss= -p "$pid") / 1024 )); }
# A short warm-up, so the start figure includes the worker pools and buffers.
KEY=$key taskset -c 1 wrk -t1 -c16 -d3s -s bench/mixed.lua "http://127.0.0.1:$port" >/dev/null
start=$(rss)
KEY=$key taskset -c 1 wrk -t1 -c16 -d"${duration}s" -s bench/mixed.lua --latency "http://127.0.0.1:$port" > /tmp/soak.txt
end=$(rss)

requests=$(awk '/requests in/ {print $1}' /tmp/soak.txt)
errors=$(awk '/Non-2xx/ {print $NF}' /tmp/soak.txt)
socket_errors=$(awk '/Socket errors/ {print}' /tmp/soak.txt)
rps=$(awk '/Requests\/sec/ {print $2}' /tmp/soak.txt)
p99=$(awk '/^ +99%/ {print $2}' /tmp/soak.txt)
echo "duration ${duration}s, ${requests} requests, ${rps} req/s, p99 ${p99}"
echo "errors: ${errors:-0} non-2xx${socket_errors:+, $socket_errors}"
echo "RSS: ${start} MiB after warm-up, ${end} MiB at the end"
[ "${errors:-0}" = 0 ] && [ -z "$socket_errors" ]
