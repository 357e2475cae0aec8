#!/usr/bin/env bash
# A CI job using the test-control surface end to end: its own instance, its own data, a slow and
# failing Clerk, a clock moved a week ahead, and assertions on what the backend under test asked.
# BASE is the server's URL. Needs curl and python3.
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}

field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }
admin() {
  local method=$1 path=$2
  shift 2
  curl -sSf -X "$method" "$BASE/__admin$path" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' "$@"
}
api_status() {
  curl -s -o /dev/null -w '%{http_code}' -X "$1" "$BASE/v1$2" -H "Authorization: Bearer $KEY"
}

# 1. An instance of this job's own, deleted however the job ends.
KEY=$(curl -sSf -X POST "$BASE/__admin/instances" | field '["secret_key"]')
trap 'admin DELETE /instance >/dev/null' EXIT

# 2. The job's own data: a user in an organization, with a session there.
admin POST /instance/data -d @- >/dev/null <<'JSON'
{
  "organizations": [{"id": "org_2Initechq3VxkTzWk9bRfPm1nA8", "name": "Initech", "slug": "initech"}],
  "users": [{"id": "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7", "first_name": "Dave",
             "memberships": [{"organization_id": "org_2Initechq3VxkTzWk9bRfPm1nA8", "role": "org:admin"}]}],
  "sessions": [{"id": "sess_2DaveLaptopqT7mWz3Kc9Xv1Lpw", "user_id": "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7",
                "active_organization_id": "org_2Initechq3VxkTzWk9bRfPm1nA8"}]
}
JSON

# 3. A slow Clerk whose revoke is down.
admin PUT /instance/faults -d '{
  "default": {"delay_ms": 20, "jitter_ms": 30},
  "operations": {"RevokeSession": {"error_rate": 1.0, "error_status": 503}}
}' >/dev/null

# 4. The backend's tests run here with CLERK_SECRET_KEY=$KEY and the API URL $BASE. Standing in
#    for them: a sign-out that meets the outage, and one that works once Clerk is back.
SESSION=sess_2DaveLaptopqT7mWz3Kc9Xv1Lpw
[ "$(api_status POST "/sessions/$SESSION/revoke")" = 503 ]
admin DELETE /instance/faults >/dev/null
[ "$(api_status POST "/sessions/$SESSION/revoke")" = 200 ]

# 5. Assert what the backend asked: exactly two revokes, one of them failed by the fault.
revokes=$(admin GET '/instance/journal/count?operation_id=RevokeSession' | field '["count"]')
failed=$(admin GET '/instance/journal/count?operation_id=RevokeSession&status=503' | field '["count"]')
[ "$revokes" = 2 ] && [ "$failed" = 1 ] || { echo "revokes: $revokes, failed: $failed" >&2; exit 1; }

# 6. A week later, a session created today has expired.
NEW=$(curl -sSf -X POST "$BASE/v1/sessions" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"user_id": "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7"}' | field '["id"]')
admin POST /instance/clock -d '{"advance_ms": 691200000}' >/dev/null
status=$(curl -sSf "$BASE/v1/sessions/$NEW" -H "Authorization: Bearer $KEY" | field '["status"]')
[ "$status" = expired ] || { echo "expected expired, got $status" >&2; exit 1; }

echo "ci job passed"
