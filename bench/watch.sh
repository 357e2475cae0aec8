#!/usr/bin/env bash
# The watch's overhead: gets over 10,000 distinct sessions, one request at a time, straight to
# the mock and through `clerk-conformance watch` in front of it, round after round. Reports the
# median latency of each and what the watch adds per exchange; fails if that is 1 ms or more.
# Release builds; the mock and the watch on core 0, wrk on core 1.
#
# Usage: bench/watch.sh [seconds per run, default 5] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-5}
rounds=${2:-3}
key=sk_test_clerk_sessions_mock_default_key
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --quiet --bin clerk-backend-mock
cargo build --release --quiet -p clerk-conformance --bin clerk-conformance

. bench/common.sh

start 18701 /readyz target/release/clerk-backend-mock --port 18701 --log-level warn \
  --users 1000 --sessions 10000 --lenient-list
python3 bench/workload.py http://127.0.0.1:18701 "$key" "$work"
start 18702 /v1/jwks target/release/clerk-conformance watch --listen 127.0.0.1:18702 \
  --upstream http://127.0.0.1:18701

# The median latency of one connection's gets, in microseconds.
p50_us() { # url
  KEY=$key REQUESTS=$work/gets.txt taskset -c 1 wrk -t1 -c1 -d"${duration}s" --latency \
    -s bench/paths.lua "$1" |
    awk '/^ +50%/ {
      value = $2
      if (value ~ /us$/) { sub(/us$/, "", value); print value + 0 }
      else if (value ~ /ms$/) { sub(/ms$/, "", value); print value * 1000 }
      else { sub(/s$/, "", value); print value * 1000000 }
    }'
}

direct=() watched=()
for round in $(seq "$rounds"); do
  echo "round $round of $rounds"
  direct+=("$(p50_us http://127.0.0.1:18701)")
  watched+=("$(p50_us http://127.0.0.1:18702)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
direct_p50=$(median "${direct[@]}")
watched_p50=$(median "${watched[@]}")
added=$(awk -v a="$watched_p50" -v b="$direct_p50" 'BEGIN {printf "%.0f", a - b}')
echo "median latency of a get: ${direct_p50} us straight to the mock, ${watched_p50} us through the watch"
echo "the watch adds ${added} us per exchange at the median (rounds: direct ${direct[*]}; watched ${watched[*]})"
[ "$added" -lt 1000 ] && echo "PASS" || { echo "FAIL: 1 ms or more"; exit 1; }
