#!/usr/bin/env bash
# Hostile soak: normal traffic (gets of many sessions) next to a hostile mix for a bounded time,
# against a release build on 127.0.0.1 with --accept-any-test-key:
#   - new sk_test_ keys, one after another (instances on demand, up to --max-instances);
#   - list queries each padded with a distinct 20 KB parameter;
#   - large data loads (50,000 sessions) into an instance of their own, again and again;
#   - resets of that instance;
#   - sessions with 7 KB impersonators, as fast as one connection takes them, into a configured
#     instance of their own, which fills up to its bound and is then refused;
#   - 60 KB request bodies into a configured instance of their own whose journal would keep
#     100,000 entries: its byte bound (8 MiB) must hold them, checked at the end.
# Reports the normal traffic's p99 when quiet and under the mix, the server's peak RSS against
# its bounds, and every 5xx. Exits non-zero on a 5xx, on RSS past the bound, or on a p99 past
# the stated multiple of the quiet one.
#
# Usage: bench/soak-hostile.sh [seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-60}
port=18183
key=sk_test_clerk_sessions_mock_default_key
base="http://127.0.0.1:$port"
max_instances=16
# Each configured instance may hold this much, and the instances on demand together
# (--instance-memory-mib). Two of them fill up here (the grower's instance and those on demand);
# the normal traffic's instance stays small; the runtime takes the rest.
instance_mib=256
rss_bound_mib=$((2 * instance_mib + 256))
# Each instance's journal keeps at most 8 MiB besides its entry bound, charged to the instance's
# budget; the four instances that journal (normal, grower, flooder, loader) add at most 32 MiB.
grower=sk_test_hostile_grower_configured
flooder=sk_test_hostile_journal_configured
journal_size=100000
journal_bound_bytes=$((8 * 1024 * 1024))
# Normal traffic's p99 under the mix may be at most this many times its quiet p99.
p99_multiple=20
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

. bench/common.sh
cargo build --release --quiet --bin clerk-backend-mock
taskset -c 0 target/release/clerk-backend-mock --port "$port" --log-level warn \
  --users 1000 --sessions 10000 --lenient-list --accept-any-test-key --secret-key "$key,$grower,$flooder" \
  --max-instances "$max_instances" --instance-memory-mib "$instance_mib" \
  --journal-size "$journal_size" >/dev/null &
server=$!
pids+=("$server")
until curl -sf "$base/readyz" >/dev/null; do sleep 0.05; done
python3 bench/workload.py "$base" "$key" "$work" 2>/dev/null

rss_mib() { echo $(( $(ps -o rss= -p "$server") / 1024 )); }
# Normal traffic: gets over every session, one run; prints its p99 in milliseconds.
normal() { # seconds
  REQUESTS="$work/gets.txt" KEY=$key taskset -c 1 wrk -t1 -c8 -d"$1s" --latency \
    -s bench/paths.lua "$base" > "$work/normal.txt"
  p99_ms "$work/normal.txt"
}

quiet_p99=$(normal 10)
echo "quiet: normal traffic p99 ${quiet_p99} ms, RSS $(rss_mib) MiB"

# The hostile mix, each part a loop that stops by itself at the deadline.
deadline=$(( $(date +%s) + duration ))
statuses="$work/statuses"
hostile() { # name command...
  local name=$1; shift
  ( while [ "$(date +%s)" -lt "$deadline" ]; do "$@" >> "$statuses.$name" 2>/dev/null || true; done ) &
  pids+=($!)
}
status_of() { curl -s -o /dev/null -w '%{http_code}\n' "$@"; }
new_key() { status_of -H "Authorization: Bearer sk_test_hostile_$RANDOM$RANDOM" "$base/v1/jwks"; }
padding=$(head -c 15000 /dev/urandom | base64 -w0 | tr '+/=' 'xyz')
padded_list() {
  status_of -H "Authorization: Bearer $key" \
    "$base/v1/sessions?user_id=user_2AlicexBGaRy7HSnjHcaZabMn26&pad=$RANDOM$padding"
}
loader=$(curl -s -X POST "$base/__admin/instances" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret_key"])')
python3 -c "
import json
now = 1790000000000
print(json.dumps({'sessions': [{'user_id': 'user_2AlicexBGaRy7HSnjHcaZabMn26', 'created_at': now - n * 1000} for n in range(50000)]}))" > "$work/load.json"
big_load() {
  status_of -X POST -H "Authorization: Bearer $loader" -H 'Content-Type: application/json' \
    --data-binary @"$work/load.json" "$base/__admin/instance/data"
}
reset() { status_of -X POST -H "Authorization: Bearer $loader" "$base/__admin/instance/reset"; sleep 0.5; }
grow() { # admin sessions with a 7 KB actor over one connection until the deadline
  python3 - "$base" "$grower" "$deadline" <<'PY'
import http.client, json, sys, time, urllib.parse
base, key, deadline = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = urllib.parse.urlparse(base)
body = json.dumps({"user_id": "user_2AlicexBGaRy7HSnjHcaZabMn26",
                   "actor": {"sub": "user_2CarolsZ1EoOyEZmEivtHY0phmf", "note": "x" * 7000}})
connection = http.client.HTTPConnection(url.hostname, url.port)
while time.time() < deadline:
    connection.request("POST", "/__admin/instance/sessions", body,
                       {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    print(response.status)
PY
}
head -c 45000 /dev/urandom | base64 -w0 | tr '+/=' 'xyz' | python3 -c '
import json, sys
print(json.dumps({"email_address": ["flood@example.com"], "unsafe_metadata": {"junk": sys.stdin.read()}}))' > "$work/flood.json"
flood() {
  status_of -X POST -H "Authorization: Bearer $flooder" -H 'Content-Type: application/json' \
    --data-binary @"$work/flood.json" "$base/v1/users"
}
hostile keys new_key
hostile floods flood
hostile padded padded_list
hostile loads big_load
hostile resets reset
hostile grows grow

peak=$(rss_mib)
( while [ "$(date +%s)" -lt "$deadline" ]; do r=$(rss_mib); [ "$r" -gt "$(cat "$work/peak" 2>/dev/null || echo 0)" ] && echo "$r" > "$work/peak"; sleep 0.5; done ) &
pids+=($!)
loaded_p99=$(normal "$duration")
sleep 1
peak=$(cat "$work/peak" 2>/dev/null || echo "$peak")
normal_errors=$(awk '/Non-2xx/ {print $NF}' "$work/normal.txt")
# What the flooded journal keeps: entries and bytes of body, within the bounds.
journal=$(curl -s -H "Authorization: Bearer $flooder" "$base/__admin/instance/journal?limit=$journal_size" |
  python3 -c '
import json, sys
page = json.load(sys.stdin)
body_bytes = sum(len(json.dumps(entry.get("body"))) for entry in page["data"])
cut = sum(1 for entry in page["data"] if entry["body_truncated"])
print(page["total_count"], body_bytes, cut)')
read -r journal_entries journal_bytes journal_cut <<< "$journal"

echo "under the mix: normal traffic p99 ${loaded_p99} ms (quiet ${quiet_p99} ms), peak RSS ${peak} MiB (bound ${rss_bound_mib} MiB)"
for part in keys floods padded loads resets grows; do
  summary=$(sort "$statuses.$part" 2>/dev/null | uniq -c | awk '{printf "%s×%s ", $1, $2}')
  echo "  $part: $summary"
done
server_errors=$(cat "$statuses".* 2>/dev/null | grep -c '^5' || true)
echo "5xx answers: $server_errors in the mix, ${normal_errors:-0} non-2xx in normal traffic"
echo "flooded journal: $(wc -l < "$statuses.floods") sent, $journal_entries entries ($journal_cut cut at 16 KiB), $journal_bytes bytes of body (bound $journal_bound_bytes)"

ok=1
[ "$server_errors" = 0 ] || ok=0
[ "${normal_errors:-0}" = 0 ] || ok=0
[ "$peak" -le "$rss_bound_mib" ] || ok=0
[ "$journal_bytes" -le "$journal_bound_bytes" ] || ok=0
# More were sent than 8 MiB holds, so the byte bound, not the entry bound, chose what stays.
floods_sent=$(wc -l < "$statuses.floods")
[ "$floods_sent" -le 600 ] || [ "$journal_entries" -lt "$floods_sent" ] || ok=0
python3 -c "import sys; sys.exit(0 if float('$loaded_p99') <= $p99_multiple * max(float('$quiet_p99'), 1.0) else 1)" || ok=0
[ "$ok" = 1 ] && echo "PASS" || { echo "FAIL"; exit 1; }
