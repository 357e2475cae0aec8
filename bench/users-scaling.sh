#!/usr/bin/env bash
# The user list's filters as the instance grows: the same requests against an instance of 1,000
# users and one of 1,000,000, side by side in interleaved rounds. Filters on identifiers
# (email_address, user_id, username, external_id) read indexes and must stay within 2x of the small
# instance; the default page reads the creation index; `query` (a substring of any field) looks
# at every user, and its cost grows with the instance.
#
# Usage: bench/users-scaling.sh [seconds per run, default 10] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
rounds=${2:-3}
key=sk_test_clerk_sessions_mock_default_key
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

. bench/common.sh
cargo build --release --quiet --bin clerk-backend-mock
server=target/release/clerk-backend-mock
start 18621 /readyz "$server" --port 18621 --log-level warn --users 1000 --sessions 2000
start 18622 /readyz "$server" --port 18622 --log-level warn --users 1000000 --sessions 100000 \
  --instance-memory-mib 4096
echo "1,000,000 users: ready in ${started_ms} ms, RSS $((rss_kib / 1024)) MiB" >&2

# Requests over 1,000 distinct users of each instance: by email, by id, by username, and by
# external id (generated users have none: 1,000 users are created with one through the API).
python3 - "$key" "$work" <<'PY'
import json, sys, urllib.parse, urllib.request
key, work = sys.argv[1:]
for port, name in [(18621, "small"), (18622, "big")]:
    users = []
    for offset in (0, 500):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/users?limit=500&offset={offset}",
            headers={"Authorization": f"Bearer {key}"})
        users.extend(json.load(urllib.request.urlopen(request)))
    for n in range(1000):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/users", method="POST",
            data=json.dumps({"external_id": f"ext-{n}"}).encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        urllib.request.urlopen(request).read()
    def write(kind, lines):
        open(f"{work}/{name}-{kind}.txt", "w").write("".join(f"GET /v1/users?{line}\n" for line in lines))
    write("email", [f"email_address={urllib.parse.quote(u['email_addresses'][0]['email_address'])}"
                    for u in users if u["email_addresses"]])
    write("id", [f"user_id={u['id']}" for u in users])
    write("username", [f"username={u['username']}" for u in users if u["username"]])
    write("external_id", [f"external_id=ext-{n}" for n in range(1000)])
    write("page", [f"limit=10&offset={n % 100}" for n in range(1000)])
    write("query", ["query=example.org&limit=10"])
PY

# A short run on each instance first, whose figures are not kept: the first requests after
# seeding meet cold memory.
for port in 18621 18622; do
  REQUESTS="$work/$([ "$port" = 18621 ] && echo small || echo big)-email.txt" KEY=$key \
    taskset -c 1 wrk -t1 -c16 -d2s -s bench/paths.lua "http://127.0.0.1:$port" >/dev/null
done

for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  for kind in email id username external_id page; do
    run_requests "$kind-1k" http://127.0.0.1:18621 "$work/small-$kind.txt"
    run_requests "$kind-1M" http://127.0.0.1:18622 "$work/big-$kind.txt"
  done
done

# `query` scans every user: one connection, once, after the rest, so that a backlog of slow
# scans on the big instance (both servers share core 0) never slows another case.
for size in 1k 1M; do
  port=$([ "$size" = 1k ] && echo 18621 || echo 18622)
  file=$([ "$size" = 1k ] && echo small || echo big)
  REQUESTS="$work/$file-query.txt" KEY=$key taskset -c 1 wrk -t1 -c1 -d"${duration}s" --latency \
    -s bench/paths.lua "http://127.0.0.1:$port" |
    awk -v name="query-$size" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
      /Non-2xx/ {errors=$NF} END {printf "%s %s %s %s %d\n", name, rps, p50, p99, errors+0}' \
    >> "$work/results"
done

echo "The user list over 1,000 and 1,000,000 users (the same kind of request, distinct users):"
table email-1k email-1M:email-1k id-1k id-1M:id-1k username-1k username-1M:username-1k \
  external_id-1k external_id-1M:external_id-1k \
  page-1k page-1M:page-1k query-1k query-1M:query-1k
