"""Reads every session of a running server (listed without filters, so the mock must run with
--lenient-list) and writes the benchmark's inputs into a folder:

- sessions.json: the sessions as the server answers them, for the reference server to load;
- gets.txt: a get of every session;
- lists.txt: a list of the first page of every user who has sessions;
- mints.txt: a session token for each active session that the mixed run never revokes;
- mixed.txt: gets, lists, creates, revokes and tokens, interleaved (40/30/10/10/10). Revokes and
  tokens go to disjoint halves of the active sessions, so that every request must succeed.

Usage: python3 bench/workload.py BASE_URL SECRET_KEY FOLDER
"""

import json
import random
import sys
import time
import urllib.request

base, key, folder = sys.argv[1:4]


def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


sessions = []
while True:
    page = get(f"/v1/sessions?limit=500&offset={len(sessions)}")
    if not page:
        break
    sessions.extend(page)

random.seed(42)
users = sorted({session["user_id"] for session in sessions})
# Active for the whole run: not a session whose expiry or abandonment comes within the hour.
horizon_ms = (time.time() + 3600) * 1000
active = [
    s["id"]
    for s in sessions
    if s["status"] == "active" and min(s["expire_at"], s["abandon_at"]) > horizon_ms
]
random.shuffle(active)
to_revoke, to_mint = active[: len(active) // 2], active[len(active) // 2 :]

gets = [f"GET /v1/sessions/{s['id']}" for s in sessions]
lists = [f"GET /v1/sessions?user_id={user}&limit=10" for user in users]
mints = [f"POST /v1/sessions/{session}/tokens" for session in to_mint]
random.shuffle(gets)
random.shuffle(lists)

mixed = []
for i in range(20000):
    kind = i % 10
    if kind < 4:
        mixed.append(random.choice(gets))
    elif kind < 7:
        mixed.append(random.choice(lists))
    elif kind == 7:
        mixed.append(f'POST /v1/sessions {{"user_id":"{random.choice(users)}"}}')
    elif kind == 8:
        mixed.append(f"POST /v1/sessions/{random.choice(to_revoke)}/revoke")
    else:
        mixed.append(f"POST /v1/sessions/{random.choice(to_mint)}/tokens")

with open(f"{folder}/sessions.json", "w") as out:
    json.dump(sessions, out)
for name, lines in [("gets", gets), ("lists", lists), ("mints", mints), ("mixed", mixed)]:
    with open(f"{folder}/{name}.txt", "w") as out:
        out.write("\n".join(lines) + "\n")
print(f"{len(sessions)} sessions of {len(users)} users, {len(active)} active", file=sys.stderr)
