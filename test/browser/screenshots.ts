// `npm run screenshots`: a picture of every page of the demo client, at desktop width and at 360 px, into
// docs/screenshots/. Runs the app in-process on a throw-away SQLite file with the development provider.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { enterCode, wrongCode } from './journeys';
import { launchBrowser, openClient, startWebApp, WebApp } from './web-app';

const OUT = join(__dirname, '..', '..', 'docs', 'screenshots');
const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 360, height: 740 },
} as const;

async function shoot(page: Page, name: string, size: keyof typeof VIEWPORTS): Promise<void> {
  // No caret blinking or focus ring caught half-way: the picture is the same on every run.
  await page.evaluate('document.activeElement?.blur()');
  await page.screenshot({ path: join(OUT, `${name}-${size}.png`), fullPage: true, caret: 'hide' });
}

async function pages(
  app: WebApp,
  browser: Browser,
  size: keyof typeof VIEWPORTS,
  email: string,
  national: string,
) {
  const { context, page } = await openClient(browser, app, VIEWPORTS[size]);
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await shoot(page, 'login', size);

  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Use at least 8 characters.').waitFor();
  await shoot(page, 'signup', size);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();

  await page.getByRole('link', { name: 'Add a phone number' }).click();
  await page.getByLabel('Country').selectOption({ label: 'United Kingdom (+44)' });
  await page.getByLabel('Phone number').fill(`0${national.slice(0, 4)} ${national.slice(4)}`);
  await shoot(page, 'verify', size);
  const mark = app.log.mark();
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
  const code = await app.codeFor(national.slice(-3), mark);
  await shoot(page, 'confirm', size);
  await enterCode(page, wrongCode(code));
  await page.getByText('4 attempts left', { exact: true }).waitFor();
  await shoot(page, 'confirm-wrong-code', size);

  await page.getByRole('link', { name: 'Identity' }).click();
  await page.getByText('Not confirmed', { exact: true }).waitFor();
  await shoot(page, 'account-not-confirmed', size);
  await page.getByRole('link', { name: 'Verify your number' }).click();
  await page.getByRole('heading', { name: 'Verify your phone number' }).waitFor();
  await page.goBack();
  await page.goBack();
  await enterCode(page, code);
  await page.getByText('Confirmed', { exact: true }).waitFor();
  await shoot(page, 'account-confirmed', size);
  await context.close();
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const [app, browser] = await Promise.all([startWebApp(), launchBrowser()]);
  try {
    await pages(app, browser, 'desktop', 'ada@example.com', '7123456789');
    await pages(app, browser, 'mobile', 'grace.hopper@example.com', '7123456788');
  } finally {
    await browser.close();
    await app.close();
  }
  console.log(`screenshots written to ${OUT}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
