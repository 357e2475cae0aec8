// The commonest real backend, as it runs: an Express app with @clerk/express's clerkMiddleware(),
// a route that reads getAuth(req) and then clerkClient.users.getUser(userId), served on
// 127.0.0.1. It prints its port once it listens, and serves until it is stopped.
// Inputs (environment): CLERK_API_URL, CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY, read by
// @clerk/express itself as in any deployment.
import express from 'express';
import { clerkClient, clerkMiddleware, getAuth } from '@clerk/express';

const app = express();
app.use(clerkMiddleware());
app.get('/me', async (req, res) => {
  const { userId } = getAuth(req);
  if (!userId) {
    res.status(401).json({ signedIn: false });
    return;
  }
  const user = await clerkClient.users.getUser(userId);
  res.json({ userId, email: user.primaryEmailAddress?.emailAddress ?? null });
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
