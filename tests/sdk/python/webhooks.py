"""A Python backend's webhook handler, tested against the mock.

A small receiver on 127.0.0.1 verifies every delivery with the `svix` package, as Clerk's
documentation tells Python backends to, while the official SDK creates a user, signs it in and
out and deletes it. Prints what the receiver saw as JSON.
Inputs (environment): CLERK_API_URL, CLERK_SECRET_KEY, CLERK_WEBHOOK_SIGNING_SECRET.
"""

import json
import os
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from clerk_backend_api import Clerk
from svix.webhooks import Webhook, WebhookVerificationError

api_url = os.environ["CLERK_API_URL"]
secret_key = os.environ["CLERK_SECRET_KEY"]
signing_secret = os.environ["CLERK_WEBHOOK_SIGNING_SECRET"]
received = []


class Handler(BaseHTTPRequestHandler):
    """The handler a backend would write: verify the raw body, then act on the event."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            # svix 2 verifies and returns nothing: the body is read once it is trusted.
            Webhook(signing_secret).verify(body, headers)
            event = json.loads(body)
            received.append(
                {
                    "type": event["type"],
                    "dataId": event["data"]["id"],
                    "svixId": headers["svix-id"],
                }
            )
            self.send_response(204)
        except WebhookVerificationError as error:
            received.append({"error": str(error)})
            self.send_response(400)
        self.end_headers()

    def log_message(self, *args):
        pass


receiver = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{receiver.server_address[1]}/webhooks/clerk"

registration = urllib.request.Request(
    f"{api_url}/__admin/instance/webhooks",
    data=json.dumps({"url": url, "secret": signing_secret}).encode(),
    headers={"Authorization": f"Bearer {secret_key}", "Content-Type": "application/json"},
    method="POST",
)
with urllib.request.urlopen(registration) as answer:
    endpoint = json.load(answer)

clerk = Clerk(bearer_auth=secret_key, server_url=f"{api_url}/v1")
user = clerk.users.create(email_address=["grace@example.com"], first_name="Grace")
session = clerk.sessions.create(request={"user_id": user.id})
clerk.sessions.revoke(session_id=session.id)
clerk.users.delete(user_id=user.id)

# A forged delivery: the right headers of a real one over another body must not verify.
forged = None
deadline = time.time() + 15
while len(received) < 4 and time.time() < deadline:
    time.sleep(0.05)
try:
    Webhook(signing_secret).verify(
        b'{"type": "user.deleted"}',
        {"svix-id": received[0].get("svixId", ""), "svix-timestamp": str(int(time.time())),
         "svix-signature": "v1,AAAA"},
    )
    forged = "verified"
except WebhookVerificationError as error:
    forged = str(error)

receiver.shutdown()
print(
    json.dumps(
        {
            "endpoint": endpoint["id"],
            "userId": user.id,
            "sessionId": session.id,
            "received": received,
            "forged": forged,
        }
    )
)
