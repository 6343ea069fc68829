import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TestClock } from '../utils/verification-providers';
import { enterCode, freshPassword, freshUkMobile, sendCodeTo, signUp } from './journeys';
import { launchBrowser, openClient, startWebApp, WebApp } from './web-app';

// Refresh tokens keep a session across reloads; a confirmed number changes only after a recent password.
describe('web client sessions', () => {
  const REAUTH_MAX_AGE_SECONDS = 60;
  const clock = new TestClock();
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [app, browser] = await Promise.all([
      startWebApp({ REAUTH_MAX_AGE_SECONDS: String(REAUTH_MAX_AGE_SECONDS) }, { clock }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  beforeEach(async () => {
    ({ context, page, errors } = await openClient(browser, app));
  });
  afterEach(async () => {
    await context.close();
    expect(errors).toEqual([]);
  });

  it('keeps the session across a reload of the page, with the refresh token', async () => {
    const email = await signUp(page);
    await page.reload();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByRole('banner').getByText(email).waitFor();
  });

  it('sends the user to log in once the session was ended elsewhere', async () => {
    const password = freshPassword();
    const email = await signUp(page, undefined, password);
    const login = await app.testApp.http().post('/auth/login').send({ email, password }).expect(200);
    await app.testApp
      .http()
      .post('/auth/logout')
      .set('Authorization', `Bearer ${login.body.accessToken as string}`)
      .send({ allSessions: true })
      .expect(204);

    await page.getByRole('link', { name: 'Add a phone number' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByRole('main').getByText('Your session has ended. Please log in again.').waitFor();
  });

  it('asks for the password again before removing a confirmed number after a while', async () => {
    const password = freshPassword();
    await signUp(page, undefined, password);
    const number = freshUkMobile();
    const mark = app.log.mark();
    await sendCodeTo(page, number.typed);
    await enterCode(page, await app.codeFor(number.lastDigits, mark));
    await page.getByText('Confirmed', { exact: true }).waitFor();
    clock.advanceSeconds(REAUTH_MAX_AGE_SECONDS + 1); // the log-in is no longer recent
    const beforeRemoval = app.log.mark();

    await page.getByRole('button', { name: 'Remove number' }).click();
    await page.getByRole('button', { name: 'Yes, remove it' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.waitFor();
    await dialog.getByLabel('Password').fill(`${password}-wrong`);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: 'The email address or password is not right.' })
      .waitFor();
    await dialog.getByLabel('Password').fill(password);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('main').getByText('Your phone number was removed.').waitFor();
    await page.getByText('No phone number yet').waitFor();
    // A password that is not recent enough is no reason to spend the refresh token.
    const urls = app.log.lines
      .slice(beforeRemoval)
      .map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url);
    expect(urls).toContain('/auth/login');
    expect(urls).not.toContain('/auth/refresh');
  });

  it('keeps the number when the password prompt is cancelled', async () => {
    await signUp(page);
    const number = freshUkMobile();
    const mark = app.log.mark();
    await sendCodeTo(page, number.typed);
    await enterCode(page, await app.codeFor(number.lastDigits, mark));
    await page.getByText('Confirmed', { exact: true }).waitFor();
    clock.advanceSeconds(REAUTH_MAX_AGE_SECONDS + 1);

    await page.getByRole('button', { name: 'Remove number' }).click();
    await page.getByRole('button', { name: 'Yes, remove it' }).click();
    await page.getByRole('dialog', { name: 'Confirm it’s you' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByText('Confirmed', { exact: true }).waitFor();
  });
});
