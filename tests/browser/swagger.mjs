// Uses Swagger UI like a person: authorize with the secret key, "Try it out" on list sessions for
// a user and on get session with an unknown id, and read what the page renders. Prints JSON.
// Inputs (environment): BASE_URL, SECRET_KEY, USER_ID, UNKNOWN_SESSION_ID, SCREENSHOT.
import { chromium } from 'playwright-core';

const { BASE_URL, SECRET_KEY, USER_ID, UNKNOWN_SESSION_ID, SCREENSHOT } = process.env;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const result = {};
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  await page.goto(`${BASE_URL}/swagger-ui/`);
  await page.waitForSelector('.swagger-ui .info .title');
  result.title = (await page.textContent('.swagger-ui .info .title')).trim();
  result.operations = await page.$$eval('.opblock [data-path]', (nodes) =>
    nodes.map((node) => node.getAttribute('data-path')),
  );
  result.deprecated = await page.$$eval('.opblock-deprecated [data-path]', (nodes) =>
    nodes.map((node) => node.getAttribute('data-path')),
  );

  // Authorize with the secret key.
  await page.click('.scheme-container button.authorize');
  await page.fill('.modal-ux .auth-container input', SECRET_KEY);
  await page.click('.modal-ux .auth-btn-wrapper button.authorize');
  await page.click('.modal-ux .auth-btn-wrapper button.btn-done');

  async function expand(operationId) {
    const block = page.locator(`#operations-Sessions-${operationId}`);
    await block.locator('.opblock-summary').first().click();
    await block.locator('.try-out__btn').waitFor();
    return block;
  }

  async function tryItOut(operationId, parameter, value) {
    const block = page.locator(`#operations-Sessions-${operationId}`);
    await block.locator('.try-out__btn').click();
    await block.locator(`tr[data-param-name="${parameter}"] input`).fill(value);
    await block.locator('.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    const body = block.locator('.live-responses-table .response-col_description pre.microlight').first();
    await body.waitFor();
    return { status: (await status.textContent()).trim(), body: await body.textContent() };
  }

  const list = await expand('GetSessionList');
  const text = async (locator) => (await locator.textContent()).replace(/\s+/g, ' ').trim();
  result.limitParameter = await text(list.locator('tr[data-param-name="limit"]'));
  result.listDescription = await text(list.locator('.opblock-description-wrapper'));
  result.listResponseExamples = await list.locator('.responses-table .response .example').count();
  result.list = await tryItOut('GetSessionList', 'user_id', USER_ID);
  await expand('GetSession');
  result.missing = await tryItOut('GetSession', 'session_id', UNKNOWN_SESSION_ID);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
