#!/usr/bin/env bash
# This build against an earlier revision, side by side in one run: the same realistic traffic
# as bench/perf.sh (gets over 10,000 sessions, lists over 1,000 users, session tokens) against
# both servers, seeded with the same data, in interleaved rounds. Answers "is a change no slower
# than before" with each figure's ratio to the earlier build's. The earlier revision is built in
# a git worktree of its own (target/compare), so the first run builds its dependencies once.
#
# Usage: bench/compare.sh REVISION [seconds per run, default 10] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."

revision=${1:?usage: bench/compare.sh REVISION [seconds] [rounds]}
duration=${2:-10}
rounds=${3:-3}
key=sk_test_clerk_sessions_mock_default_key
work=$(mktemp -d)
earlier=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; git worktree remove --force "$earlier" 2>/dev/null; rm -rf "$work" "$earlier"' EXIT

cargo build --release --quiet --bin clerk-backend-mock
git worktree add --quiet --detach "$earlier" "$revision"
# The server's binary as that revision names it.
earlier_bin=$(sed -n 's/^default-run = "\(.*\)"/\1/p' "$earlier/Cargo.toml")
CARGO_TARGET_DIR="$PWD/target/compare" cargo build --release --quiet \
  --manifest-path "$earlier/Cargo.toml" --bin "$earlier_bin"

. bench/common.sh

data=(--users 1000 --sessions 10000 --lenient-list --log-level warn)
start 18611 /readyz "target/compare/release/$earlier_bin" --port 18611 "${data[@]}"
start 18612 /readyz target/release/clerk-backend-mock --port 18612 "${data[@]}"
python3 bench/workload.py http://127.0.0.1:18612 "$key" "$work"

for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  run_requests before-get http://127.0.0.1:18611 "$work/gets.txt"
  run_requests get http://127.0.0.1:18612 "$work/gets.txt"
  run_requests before-list http://127.0.0.1:18611 "$work/lists.txt"
  run_requests list http://127.0.0.1:18612 "$work/lists.txt"
  run_requests before-mint http://127.0.0.1:18611 "$work/mints.txt"
  run_requests mint http://127.0.0.1:18612 "$work/mints.txt"
done

echo "This build against $revision (the same data, the same requests):"
table before-get get:before-get before-list list:before-list before-mint mint:before-mint
