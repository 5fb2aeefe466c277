// Opens the operator page in the system's headless Chromium, signs in with the admin key, reads the
// accounts table, drains one account through the page and waits until the page shows it drained.
// Input: environment variables; output: one JSON line on stdout describing what the page showed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.GATEWAY_URL;
const adminKey = process.env.ADMIN_KEY;
const drain = process.env.DRAIN_ACCOUNT;
const screenshot = process.env.SCREENSHOT;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const timeout = 30000;

const profile = mkdtempSync(join(tmpdir(), 'io-chromium-'));
// A fresh profile (--user-data-dir) per run: Playwright passes it to Chromium for a persistent context.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  const dialogs = [];
  page.on('dialog', async (dialog) => { dialogs.push(dialog.message()); await dialog.accept(); });

  await page.goto(new URL('/ui', base).toString());
  await page.fill('#admin-key', adminKey);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#accounts tbody tr', { timeout });
  await page.waitForFunction(() => document.body.dataset.refreshed, null, { timeout });

  const readAccounts = () => page.$$eval('#accounts tbody tr', (rows) => rows.map((row) => ({
    id: row.dataset.id,
    cells: [...row.cells].map((c) => c.textContent.trim()),
    align: [...row.cells].map((c) => getComputedStyle(c).textAlign),
    healthClass: row.cells[1].firstElementChild ? row.cells[1].firstElementChild.className : '',
  })));
  const before = await readAccounts();
  const headers = await page.$$eval('#accounts thead th', (ths) => ths.map((t) => t.textContent.trim()));

  await page.click(`#accounts tbody tr[data-id="${drain}"] button[data-action="drain"]`);
  await page.waitForFunction((id) => {
    const row = document.querySelector(`#accounts tbody tr[data-id="${id}"]`);
    return row && row.cells[1].textContent.trim() === 'draining' && row.querySelector('button[data-action="resume"]');
  }, drain, { timeout });
  const after = await readAccounts();
  const keyInUrl = requested.some((u) => u.includes(adminKey));
  const stored = await page.evaluate(() => Object.keys(sessionStorage));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ headers, before, after, dialogs, keyInUrl, stored, url: page.url(), width }));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
