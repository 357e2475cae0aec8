#!/usr/bin/env bash
# A stream of requests on one key while hundreds of new keys arrive: with --accept-any-test-key
# each new sk_test_ key has its instance seeded on first use, off the actix workers. One
# connection gets one session over and over on the default key, first alone (quiet), then while
# four connections bring 400 new keys. Passes when the loaded p99 is at most three times the
# quiet one plus 1 ms.
#
# Usage: bench/new-keys.sh [seconds, default 10] [new keys, default 400]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
new_keys=${2:-400}
port=18184
key=sk_test_clerk_sessions_mock_default_key
base="http://127.0.0.1:$port"
session=sess_2AliceActiveZICgVFaEP1MWWEP
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

. bench/common.sh
cargo build --release --quiet --bin clerk-backend-mock
start "$port" /readyz target/release/clerk-backend-mock --port "$port" --log-level warn \
  --accept-any-test-key --secret-key "$key" --max-instances $((new_keys + 10)) \
  --instance-memory-mib 4096

# One connection's gets of one session on the default key; prints the p99 in milliseconds.
steady() { # seconds
  printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$key" > "$work/steady.lua"
  taskset -c 1 wrk -t1 -c1 -d"$1s" --latency -s "$work/steady.lua" "$base/v1/sessions/$session" \
    > "$work/steady.txt"
  p99_ms "$work/steady.txt"
}

# Four connections, each sending its share of the new keys, one request per key, then the same
# last key again (an instance that now exists) until the run ends.
cat > "$work/new-keys.lua" <<LUA
local counter, thread_id = 0, 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end
function request()
  if counter < $((new_keys / 4)) then counter = counter + 1 end
  local key = "sk_test_new_" .. thread_id .. "_" .. counter
  return wrk.format("GET", "/v1/jwks", { Authorization = "Bearer " .. key })
end
LUA

quiet=$(steady "$duration")
taskset -c 1 wrk -t4 -c4 -d"$duration"s -s "$work/new-keys.lua" "$base" > "$work/new-keys.txt" &
newcomers=$!
loaded=$(steady "$duration")
wait "$newcomers"

rss=$(( $(ps -o rss= -p "$pid") / 1024 ))
refused=$(awk '/Non-2xx/ {print $NF}' "$work/new-keys.txt")

limit=$(awk -v q="$quiet" 'BEGIN {print 3 * q + 1}')
echo "steady gets on one key: p99 quiet ${quiet} ms, while ${new_keys} new keys arrive ${loaded} ms (limit ${limit} ms)"
echo "new keys: $(awk '/requests in/ {print $1}' "$work/new-keys.txt") requests, ${refused:-0} not 2xx; server RSS ${rss} MiB"
[ "${refused:-0}" = 0 ] || { echo "FAIL: a new key was refused"; exit 1; }
awk -v l="$loaded" -v m="$limit" 'BEGIN {exit !(l <= m)}' || { echo "FAIL: p99 under new keys above the limit"; exit 1; }
echo "PASS"
