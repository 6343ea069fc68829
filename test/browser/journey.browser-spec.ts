import type { Browser, BrowserContext, Page } from 'playwright-core';
import { twilioV2Provider } from '../utils/verification-providers';
import {
  enterCode,
  freshPassword,
  freshUkMobile,
  sendCodeTo,
  signUp,
  signUpFromHere,
  wrongCode,
} from './journeys';
import {
  accessibilityViolations,
  isFocused,
  launchBrowser,
  openClient,
  startWebApp,
  WebApp,
} from './web-app';

// The development provider writes each code to the service log; the tests read it from there.
describe('web client with the development provider', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [app, browser] = await Promise.all([
      startWebApp({ VERIFY_RESEND_COOLDOWN_SECONDS: '2' }),
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

  it('signs up, verifies a number with the code from the log, and shows it confirmed', async () => {
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    const password = freshPassword();
    const email = await signUp(page, undefined, password);
    await page.getByRole('main').getByText('Your account is ready.').waitFor();
    await page.getByText('No phone number yet').waitFor();

    const number = freshUkMobile();
    const mark = app.log.mark();
    await sendCodeTo(page, number.typed);
    await page.getByText(`+44******${number.lastDigits}`).waitFor();
    expect(await page.getByLabel('Code').getAttribute('autocomplete')).toBe('one-time-code');
    expect(await page.getByLabel('Code').getAttribute('inputmode')).toBe('numeric');

    await enterCode(page, await app.codeFor(number.lastDigits, mark));
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByRole('main').getByText('Your phone number is confirmed.').waitFor();
    await page.getByText('Confirmed', { exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Verify your number' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('main').getByText('You are logged out.').waitFor();
    expect(await page.getByText('Confirmed', { exact: true }).count()).toBe(0);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Confirmed', { exact: true }).waitFor();

    // The request log shows the API calls, not the page's files.
    const urls = app.log.lines.map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url);
    expect(urls).toEqual(
      expect.arrayContaining(['/auth/register', '/phone-verification/check', '/auth/login']),
    );
    expect(urls.filter((url) => url && /^\/(?:|[\w/-]+\.(?:js|css|svg|html|json))$/.test(url))).toEqual([]);
  });

  it('words a wrong password and an email already taken as sentences', async () => {
    const password = freshPassword();
    const email = await signUp(page, undefined, password);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(`${password}-wrong`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The email address or password is not right.' })
      .waitFor();

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email address').fill(email.toUpperCase());
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'An account with this email address already exists. Log in instead.' })
      .waitFor();
  });

  it('shows an unconfirmed number with a link to verify it, and counts down before a new code', async () => {
    await signUp(page);
    const number = freshUkMobile();
    const first = app.log.mark();
    await sendCodeTo(page, number.typed);
    await app.codeFor(number.lastDigits, first);

    const resend = page.getByRole('button', { name: /^Send a new code/ });
    expect(await resend.textContent()).toMatch(/^Send a new code \([12] s\)$/);
    expect(await resend.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Send a new code', exact: true }).waitFor();
    expect(await resend.isEnabled()).toBe(true);

    const second = app.log.mark();
    await resend.click();
    await page.getByRole('button', { name: /^Send a new code \(\d s\)$/ }).waitFor();
    const code = await app.codeFor(number.lastDigits, second);

    await page.getByRole('link', { name: 'Identity' }).click();
    await page.getByText('Not confirmed', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Verify your number' }).click();
    expect(await page.getByLabel('Phone number').inputValue()).toBe(number.typed.replace(/^0| /g, ''));
    await page.goBack();
    await page.goBack();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await enterCode(page, code);
    await page.getByText('Confirmed', { exact: true }).waitFor();
  });

  it('says how many attempts are left after a wrong code, and closes the code after the fifth', async () => {
    await signUp(page);
    const number = freshUkMobile();
    const mark = app.log.mark();
    await sendCodeTo(page, number.typed);
    const wrong = wrongCode(await app.codeFor(number.lastDigits, mark));
    await page.getByText('5 attempts left').waitFor();

    await enterCode(page, wrong);
    await page
      .getByRole('alert')
      .filter({ hasText: 'That code is not right. You have 4 attempts left.' })
      .waitFor();
    await page.getByText('4 attempts left', { exact: true }).waitFor();
    expect(await isFocused(page.getByLabel('Code'))).toBe(true);

    for (const left of [3, 2, 1]) {
      await enterCode(page, wrong);
      await page.getByText(`${left} attempt${left === 1 ? '' : 's'} left`, { exact: true }).waitFor();
    }
    await enterCode(page, wrong);
    await page
      .getByRole('alert')
      .filter({ hasText: 'That code is not right, and that was the last attempt. Ask for a new code.' })
      .waitFor();
    await page.getByText('0 attempts left', { exact: true }).waitFor();
    expect(await page.getByLabel('Code').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Confirm' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: /^Send a new code/ }).waitFor();
  });

  it('tells the user when another account has confirmed the number', async () => {
    const number = freshUkMobile();
    await signUp(page);
    let mark = app.log.mark();
    await sendCodeTo(page, number.typed);
    await enterCode(page, await app.codeFor(number.lastDigits, mark));
    await page.getByText('Confirmed', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();

    await signUp(page);
    mark = app.log.mark();
    await sendCodeTo(page, number.typed);
    await enterCode(page, await app.codeFor(number.lastDigits, mark));
    await page
      .getByRole('alert')
      .filter({ hasText: 'this number is already confirmed on another account. Use a different number.' })
      .waitFor();
    await page.getByRole('link', { name: 'Identity' }).click();
    await page.getByText('Not confirmed', { exact: true }).waitFor();
  });

  it('passes the automated WCAG 2.1 AA checks on every page, at desktop width and at 360 px', async () => {
    for (const viewport of [
      { width: 1024, height: 800 },
      { width: 360, height: 740 },
    ]) {
      await page.setViewportSize(viewport);
      await page.goto('/');
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Enter your email address.').waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);

      await signUpFromHere(page);
      expect(await accessibilityViolations(page)).toEqual([]);
      const number = freshUkMobile();
      const mark = app.log.mark();
      await page.getByRole('link', { name: 'Add a phone number' }).click();
      await page.getByRole('heading', { name: 'Verify your phone number' }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.getByLabel('Country').selectOption({ label: 'United Kingdom (+44)' });
      await page.getByLabel('Phone number').fill(number.typed);
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
      const code = await app.codeFor(number.lastDigits, mark);
      await enterCode(page, wrongCode(code));
      await page.getByText('4 attempts left', { exact: true }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
      await enterCode(page, code);
      await page.getByText('Confirmed', { exact: true }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
    }
  });

  it('can be completed with the keyboard alone', async () => {
    const tabTo = async (name: string, role: 'link' | 'button' | 'textbox' | 'combobox') => {
      const target = page.getByRole(role, { name, exact: true });
      for (let presses = 0; presses < 25; presses += 1) {
        if (await isFocused(target)) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`${role} "${name}" cannot be reached with Tab`);
    };
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await tabTo('Create an account', 'link');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    expect(await isFocused(page.getByRole('heading', { name: 'Create an account' }))).toBe(true);
    await tabTo('Email address', 'textbox');
    await page.keyboard.type('not-an-email');
    await page.keyboard.press('Enter');
    await page.getByText('Enter an email address like name@example.com.').waitFor();
    expect(await isFocused(page.getByLabel('Email address'))).toBe(true);
    await page.keyboard.press('Control+A');
    await page.keyboard.type(`keys-${Date.now()}@example.com`);
    await page.keyboard.press('Tab');
    await page.keyboard.type('keyboard only 123');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();

    await tabTo('Add a phone number', 'link');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Verify your phone number' }).waitFor();
    await tabTo('Country', 'combobox');
    await page.keyboard.type('United Kingdom');
    expect(await page.getByLabel('Country').inputValue()).toBe('GB');
    const number = freshUkMobile();
    await tabTo('Phone number', 'textbox');
    await page.keyboard.type(number.typed);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown'); // from "Text message" to "Phone call"
    expect(await page.getByRole('radio', { name: 'Phone call' }).isChecked()).toBe(true);
    const mark = app.log.mark();
    await tabTo('Send code', 'button');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.getByText('by phone call').waitFor();

    const code = await app.codeFor(number.lastDigits, mark);
    await tabTo('Code', 'textbox');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await page.getByText('Confirmed', { exact: true }).waitFor();
    expect(await isFocused(page.getByRole('heading', { name: 'Your account' }))).toBe(true);
  });
});

describe('web client with a country allow-list and no re-send cooldown', () => {
  let app: WebApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([
      startWebApp({ VERIFY_ALLOWED_COUNTRIES: 'GB,US', VERIFY_RESEND_COOLDOWN_SECONDS: '0' }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  beforeEach(async () => {
    ({ context, page, errors } = await openClient(browser, app));
  });
  afterEach(async () => {
    await context.close();
    expect(errors).toEqual([]);
  });

  it('offers only the allowed countries, by name and dialing code', async () => {
    await signUp(page);
    await page.getByRole('link', { name: 'Add a phone number' }).click();
    const options = await page.getByLabel('Country').getByRole('option').allTextContents();
    expect(options).toEqual(['United Kingdom (+44)', 'United States (+1)']);
  });

  it('removes the number after asking, and replaces a confirmed number with a new one to verify', async () => {
    await signUp(page);
    const first = freshUkMobile();
    let mark = app.log.mark();
    await sendCodeTo(page, first.typed);
    await enterCode(page, await app.codeFor(first.lastDigits, mark));
    await page.getByText('Confirmed', { exact: true }).waitFor();

    await page.getByRole('link', { name: 'Change number' }).click();
    await page.getByRole('heading', { name: 'Change your phone number' }).waitFor();
    expect(await page.getByLabel('Phone number').inputValue()).toBe('');
    const second = freshUkMobile();
    await page.getByLabel('Phone number').fill(second.typed);
    mark = app.log.mark();
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.getByText(`+44******${second.lastDigits}`).waitFor();
    const code = await app.codeFor(second.lastDigits, mark);
    await page.getByRole('link', { name: 'Identity' }).click();
    await page.getByText('Not confirmed', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Remove number' }).click();
    const question = page.getByRole('group', { name: /^Remove \+44 \d+ from your account\?$/ });
    await question.waitFor();
    await question.getByRole('button', { name: 'Keep it' }).click();
    expect(await isFocused(page.getByRole('button', { name: 'Remove number' }))).toBe(true);
    await page.getByRole('button', { name: 'Remove number' }).click();
    await question.getByRole('button', { name: 'Yes, remove it' }).click();
    await page.getByRole('main').getByText('Your phone number was removed.').waitFor();
    await page.getByText('No phone number yet').waitFor();

    // The code sent to the removed number no longer confirms anything.
    await page.getByRole('link', { name: 'Add a phone number' }).click();
    await page.getByRole('heading', { name: 'Verify your phone number' }).waitFor();
    await page.goto('/#/confirm');
    await page.getByText('There is no code waiting for you. Ask for one first.').waitFor();
    expect(code).toMatch(/^\d{6}$/);
  });
});

describe('web client with Twilio Verify v2 (a local fake)', () => {
  let provider: Awaited<ReturnType<typeof twilioV2Provider>>;
  let app: WebApp;
  let browser: Browser;

  beforeAll(async () => {
    provider = await twilioV2Provider();
    [app, browser] = await Promise.all([startWebApp(provider.env()), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await provider?.close();
  });

  it('offers WhatsApp and confirms a number with the code sent there', async () => {
    const { context, page, errors } = await openClient(browser, app);
    await signUp(page);
    await page.getByRole('link', { name: 'Add a phone number' }).click();
    const channels = page.getByRole('group', { name: 'Send the code by' }).getByRole('radio');
    expect(
      await channels.evaluateAll((radios) => radios.map((radio) => radio.getAttribute('value'))),
    ).toEqual(['sms', 'call', 'whatsapp']);
    const number = freshUkMobile();
    await page.getByLabel('Country').selectOption({ label: 'United Kingdom (+44)' });
    await page.getByLabel('Phone number').fill(number.typed);
    await page.getByRole('radio', { name: 'WhatsApp' }).check();
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByText('on WhatsApp').waitFor();

    await enterCode(
      page,
      provider.codeFor({ e164: number.e164, countryCode: '44', nationalNumber: '', typed: '' })!,
    );
    await page.getByText('Confirmed', { exact: true }).waitFor();
    await context.close();
    expect(errors).toEqual([]);
  });
});
