import type { Browser } from 'playwright-core';
import { enterCode, sendCodeTo, signUp } from './journeys';
import { launchBrowser, openClient, startWebApp, WebApp } from './web-app';

// Test numbers: no provider call, the listed code confirms. +44 7700 900xxx is a range kept for fiction.
describe('web client with test numbers', () => {
  let app: WebApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([
      startWebApp({ VERIFY_TEST_NUMBERS: '+447700900123=246810,+15555550100=000000' }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('confirms a test number with its listed code, sending nothing', async () => {
    const { context, page, errors } = await openClient(browser, app);
    await signUp(page);
    const mark = app.log.mark();
    await sendCodeTo(page, '07700 900123');
    await page.getByText('+44******123').waitFor();
    await enterCode(page, '246810');
    await page.getByRole('main').getByText('Your phone number is confirmed.').waitFor();
    await page.getByText('+44 7700900123', { exact: true }).waitFor();
    await page.getByText('Confirmed', { exact: true }).waitFor();
    expect(app.log.lines.slice(mark).filter((line) => line.includes('verification code for'))).toEqual([]);
    await context.close();
    expect(errors).toEqual([]);
  });

  it('refuses a wrong code for a test number like any other', async () => {
    const { context, page, errors } = await openClient(browser, app);
    await signUp(page);
    await sendCodeTo(page, '(555) 555-0100', 'United States (+1)');
    await enterCode(page, '111111');
    await page
      .getByRole('alert')
      .filter({ hasText: 'That code is not right. You have 4 attempts left.' })
      .waitFor();
    await enterCode(page, '000000');
    await page.getByText('Confirmed', { exact: true }).waitFor();
    await context.close();
    expect(errors).toEqual([]);
  });
});
