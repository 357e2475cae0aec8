// A backend's webhook handler, tested against the mock: a small receiver on 127.0.0.1 verifies
// every delivery with the official verifyWebhook from @clerk/backend/webhooks, while the SDK
// creates a user, signs it in and out, changes and deletes it. Prints what the receiver saw as
// JSON. Inputs (environment): CLERK_API_URL, CLERK_SECRET_KEY, CLERK_WEBHOOK_SIGNING_SECRET.
import http from 'node:http';
import { createClerkClient } from '@clerk/backend';
import { verifyWebhook } from '@clerk/backend/webhooks';

const apiUrl = process.env.CLERK_API_URL;
const secretKey = process.env.CLERK_SECRET_KEY;
const clerk = createClerkClient({ secretKey, apiUrl });

const received = [];
let tampered = null;

// The handler a backend would write: read the raw body, verify, then act on the event.
const receiver = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString('utf8');
  const request = (text) =>
    new Request(`http://127.0.0.1${req.url}`, { method: 'POST', headers: req.headers, body: text });
  try {
    const event = await verifyWebhook(request(body));
    received.push({
      type: event.type,
      object: event.object,
      dataObject: event.data.object,
      dataId: event.data.id,
      userId: event.data.user?.id ?? event.data.user_id ?? null,
      privateMetadata: event.data.private_metadata ?? null,
      deleted: event.data.deleted ?? null,
      instanceId: event.instance_id,
      timestamp: event.timestamp,
      svixId: req.headers['svix-id'],
      svixTimestamp: Number(req.headers['svix-timestamp']),
    });
    if (tampered === null) {
      // The same headers over another body must not verify.
      tampered = await verifyWebhook(request(body.replace('"object":"event"', '"object":"evil"')))
        .then(() => 'verified')
        .catch((error) => String(error.message));
    }
    res.writeHead(204).end();
  } catch (error) {
    received.push({ error: String(error.message) });
    res.writeHead(400).end();
  }
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${receiver.address().port}/api/webhooks/clerk`;

const admin = (method, path, body) =>
  fetch(`${apiUrl}/__admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  }).then(async (answer) => ({ status: answer.status, body: await answer.json() }));

const endpoint = await admin('POST', '/instance/webhooks', {
  url,
  secret: process.env.CLERK_WEBHOOK_SIGNING_SECRET,
});

const user = await clerk.users.createUser({
  emailAddress: ['ada@example.com'],
  firstName: 'Ada',
  privateMetadata: { stripeCustomer: 'cus_ada' },
});
const session = await clerk.sessions.createSession({ userId: user.id });
await clerk.sessions.revokeSession(session.id);
await clerk.users.updateUserMetadata(user.id, { publicMetadata: { plan: 'pro' } });
await clerk.users.deleteUser(user.id);

const expected = 5;
const deadline = Date.now() + 15000;
while (received.length < expected && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const deliveries = await admin('GET', `/instance/webhooks/${endpoint.body.id}/deliveries`);
receiver.close();
console.log(
  JSON.stringify({
    endpoint,
    userId: user.id,
    sessionId: session.id,
    received,
    tampered,
    deliveries: deliveries.body,
  }),
);
