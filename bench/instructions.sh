#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: the mock against the bare reference
# (examples/bare_reference.rs) for a get and a list, and a minted token against one RS256
# signature. Unlike requests per second, the count is the
# same run after run whatever else the machine is doing, so a change of a few percent shows. It
# leaves out the kernel's share (the loopback, about half of a request's time, alike for both),
# and counts a `rep` string instruction once per byte, which inflates memset and memcpy.
#
# Usage: bench/instructions.sh [requests per case, default 20000; a hundredth as many mints]
set -euo pipefail
cd "$(dirname "$0")/.."

requests=${1:-20000}
key=sk_test_clerk_sessions_mock_default_key
session=sess_2AliceActiveZICgVFaEP1MWWEP
list="/v1/sessions?user_id=user_2AlicexBGaRy7HSnjHcaZabMn26&limit=10"
work=$(mktemp -d)
trap 'pkill -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
cargo build --release --quiet --bin clerk-sessions-mock --example bare_reference
cp target/release/clerk-sessions-mock target/release/examples/bare_reference "$work/"

# The instructions a server (a command line) ran to start, answer `count` requests (`GET`, or
# `POST` when `path` ends in /tokens) for `path` on one keep-alive connection, and stop.
instructions() { # count port path command...
  local count=$1 port=$2 path=$3; shift 3
  local method=GET
  [[ $path == */tokens ]] && method=POST
  local out="$work/callgrind.$RANDOM"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>&1 &
  local pid=$!
  until curl -sf -o /dev/null -X "$method" -H "Authorization: Bearer $key" "http://127.0.0.1:$port$path"; do
    sleep 0.2
  done
  python3 bench/requests.py "$port" "$path" "$count" "$key" "$method"
  kill -INT "$pid"
  wait "$pid" || true
  awk '/^summary:/ {print $2}' "$out"
}

# Instructions per request: a run of `requests` less a run of none (start-up, the readiness
# poll and shutdown), over `requests`.
per_request() { # name count port path command...
  local name=$1 count=$2 port=$3 path=$4; shift 4
  local base full
  base=$(instructions 0 "$port" "$path" "$@")
  full=$(instructions "$count" "$port" "$path" "$@")
  echo "$name $(( (full - base) / count ))" >> "$work/results"
}

mock=("$work/clerk-sessions-mock" --port 18611 --log-level warn)
"${mock[@]}" >/dev/null 2>&1 &
mock_pid=$!
until curl -sf -o "$work/get.json" -H "Authorization: Bearer $key" "http://127.0.0.1:18611/v1/sessions/$session"; do
  sleep 0.05
done
curl -sf -o "$work/list.json" -H "Authorization: Bearer $key" "http://127.0.0.1:18611$list"
kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true
reference=("$work/bare_reference" 18610 "$work/get.json" "$work/list.json")

# A signature costs a thousand requests: a hundredth as many mints are plenty.
mints=$(( requests / 100 > 0 ? requests / 100 : 1 ))
per_request ref-get "$requests" 18610 "/v1/sessions/$session" "${reference[@]}"
per_request get "$requests" 18611 "/v1/sessions/$session" "${mock[@]}"
# The reference is sent the very request the mock is, query and all.
per_request ref-list "$requests" 18610 "$list" "${reference[@]}"
per_request list "$requests" 18611 "$list" "${mock[@]}"
per_request ref-sign "$mints" 18610 "/v1/sessions/$session/tokens" "${reference[@]}"
per_request mint "$mints" 18611 "/v1/sessions/$session/tokens" "${mock[@]}"

python3 - "$work/results" <<'PY'
import sys
counts = dict(line.split() for line in open(sys.argv[1]))
print(f"{'case':<10} {'instructions per request':>25} {'cost vs reference':>18}")
for case, reference in [("ref-get", None), ("get", "ref-get"), ("ref-list", None),
                        ("list", "ref-list"), ("ref-sign", None), ("mint", "ref-sign")]:
    ratio = f"{int(counts[case]) / int(counts[reference]) * 100:.0f}%" if reference else ""
    print(f"{case:<10} {int(counts[case]):>25,} {ratio:>18}")
PY
