#!/usr/bin/env bash
# The same load against Prism, the mock most people would pick instead, in one run beside this
# server: Prism serving this server's generated spec, and Clerk's official spec. Get and list,
# start-up to a first answer, and RSS. Prism (@stoplight/prism-cli, pinned) is installed with
# npm into target/tmp/prism on first use. Servers pinned to core 0, wrk to core 1; every figure
# is the median of interleaved runs, with its spread.
#
# Usage: bench/prism.sh [seconds per run, default 10] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
rounds=${2:-3}
key=sk_test_clerk_sessions_mock_default_key
alice=user_2AlicexBGaRy7HSnjHcaZabMn26
session=sess_2AliceActiveZICgVFaEP1MWWEP
official=openapi/clerk-bapi-2026-05-12.yml
prism_version=5.14.2
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --quiet --bin clerk-backend-mock
prism=target/tmp/prism/node_modules/.bin/prism
if [ "$("$prism" --version 2>/dev/null)" != "$prism_version" ]; then
  npm install --prefix target/tmp/prism --no-audit --no-fund --silent "@stoplight/prism-cli@$prism_version"
fi

. bench/common.sh

start 18701 /readyz target/release/clerk-backend-mock --port 18701 --log-level warn
echo "mock: ready in $started_ms ms, RSS $((rss_kib / 1024)) MiB" >> "$work/startup"
start 18702 /v1/jwks "$prism" mock -p 18702 -h 127.0.0.1 -v silent openapi/generated.json
echo "Prism, generated spec: ready in $started_ms ms, RSS $((rss_kib / 1024)) MiB" >> "$work/startup"
if [ -f "$official" ]; then
  start 18703 /jwks "$prism" mock -p 18703 -h 127.0.0.1 -v silent "$official"
  echo "Prism, Clerk's official spec: ready in $started_ms ms, RSS $((rss_kib / 1024)) MiB" >> "$work/startup"
fi

for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  run get "http://127.0.0.1:18701/v1/sessions/$session"
  run prism-get "http://127.0.0.1:18702/v1/sessions/$session"
  [ -f "$official" ] && run prism-off-get "http://127.0.0.1:18703/sessions/$session"
  run list "http://127.0.0.1:18701/v1/sessions?user_id=$alice&limit=10"
  run prism-list "http://127.0.0.1:18702/v1/sessions?user_id=$alice&limit=10"
  [ -f "$official" ] && run prism-off-list "http://127.0.0.1:18703/sessions?user_id=$alice&limit=10"
done

cases=(get prism-get:get list prism-list:list)
[ -f "$official" ] && cases=(get prism-get:get prism-off-get:get list prism-list:list prism-off-list:list)
table "${cases[@]}"
echo
cat "$work/startup"
