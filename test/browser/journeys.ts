import { randomBytes, randomInt } from 'node:crypto';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import type { Page } from 'playwright-core';
import { uniqueEmail } from '../utils/test-app';

/** A UK mobile number no other test uses, as a person types it (`07123 412345`). */
export function freshUkMobile(): { typed: string; lastDigits: string; e164: string } {
  for (;;) {
    const national = `71234${String(randomInt(0, 100_000)).padStart(5, '0')}`;
    if (isValidPhoneNumber(`+44${national}`)) {
      return {
        typed: `0${national.slice(0, 4)} ${national.slice(4)}`,
        lastDigits: national.slice(-3),
        e164: `+44${national}`,
      };
    }
  }
}

export function freshPassword(): string {
  return `pw-${randomBytes(8).toString('hex')}`;
}

/** Creates an account through the sign-up page and lands on the account page. */
export async function signUp(
  page: Page,
  email = uniqueEmail('web'),
  password = freshPassword(),
): Promise<string> {
  await page.getByRole('link', { name: 'Create an account' }).click();
  return signUpFromHere(page, email, password);
}

/** Fills in the sign-up page that is open and lands on the account page. */
export async function signUpFromHere(
  page: Page,
  email = uniqueEmail('web'),
  password = freshPassword(),
): Promise<string> {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  return email;
}

/** From the account page: gives a number and asks for a code; lands on the confirm page. */
export async function sendCodeTo(page: Page, typed: string, country = 'United Kingdom (+44)'): Promise<void> {
  await page.getByRole('link', { name: /Add a phone number|Verify your number/ }).click();
  await page.getByLabel('Country').selectOption({ label: country });
  await page.getByLabel('Phone number').fill(typed);
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
}

export async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
}

/** A wrong code of the same length as `code`. */
export function wrongCode(code: string): string {
  return code
    .split('')
    .map((digit) => String((Number(digit) + 1) % 10))
    .join('');
}
