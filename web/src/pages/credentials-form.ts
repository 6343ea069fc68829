import { ApiError, TokenPair, beginSession, factsOf } from '../api.js';
import { Field, busy, field, formAlert, h } from '../dom.js';
import { errorSentence } from '../messages.js';
import type { PageContext } from '../page.js';

/** The form of the log-in and sign-up pages: email, password, one button. */
export function credentialsForm(
  context: PageContext,
  options: {
    heading: string;
    intro: string;
    submitLabel: string;
    newPassword: boolean;
    submit(email: string, password: string): Promise<TokenPair>;
    welcome: string;
    footer: HTMLElement;
  },
): HTMLElement {
  const alert = formAlert();
  const email = field({
    label: 'Email address',
    name: 'email',
    type: 'email',
    attributes: { autocomplete: 'email', required: true, spellcheck: 'false', autocapitalize: 'none' },
  });
  const password = field({
    label: 'Password',
    name: 'password',
    type: 'password',
    hint: options.newPassword ? 'At least 8 characters.' : undefined,
    attributes: {
      autocomplete: options.newPassword ? 'new-password' : 'current-password',
      required: true,
      minlength: options.newPassword ? 8 : undefined,
      maxlength: 128,
    },
  });
  const submit = h('button', { type: 'submit', class: 'button primary' }, options.submitLabel);
  const form = h('form', { novalidate: true }, alert.element, email.element, password.element, submit);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.show(null);
    const problems = validate(email, password, options.newPassword);
    if (problems) return problems.focus();
    void busy(submit, async () => {
      try {
        beginSession(await options.submit(email.input.value.trim(), password.input.value));
        context.navigate('account', options.welcome);
      } catch (error) {
        const facts = factsOf(error);
        alert.show(errorSentence(facts));
        showFieldDetails(error, { email, password });
        if (facts.code === 'INVALID_CREDENTIALS') password.input.select();
      }
    });
  });

  return h(
    'section',
    { class: 'card' },
    h('h1', { tabindex: -1 }, options.heading),
    h('p', { class: 'lead' }, options.intro),
    form,
    options.footer,
  );
}

/** Checks the fields as the service would, in plain words; returns the first field to fix. */
function validate(email: Field, password: Field, newPassword: boolean): HTMLInputElement | null {
  const emailValue = email.input.value.trim();
  email.setError(
    !emailValue
      ? 'Enter your email address.'
      : !/^[^\s@]+@[^\s@]+$/.test(emailValue)
        ? 'Enter an email address like name@example.com.'
        : null,
  );
  const passwordValue = password.input.value;
  password.setError(
    !passwordValue
      ? 'Enter your password.'
      : newPassword && passwordValue.length < 8
        ? 'Use at least 8 characters.'
        : passwordValue.length > 128
          ? 'Use at most 128 characters.'
          : null,
  );
  if (email.input.getAttribute('aria-invalid')) return email.input;
  if (password.input.getAttribute('aria-invalid')) return password.input;
  return null;
}

/** Puts the service's per-field messages (`VALIDATION_FAILED` details) under the fields they name. */
export function showFieldDetails(error: unknown, fields: Record<string, Field>): void {
  if (!(error instanceof ApiError)) return;
  let first: HTMLInputElement | null = null;
  for (const detail of error.details) {
    const target = fields[detail.field];
    if (!target) continue;
    target.setError(sentenceCase(detail.messages.join('. ')));
    first ??= target.input;
  }
  first?.focus();
}

function sentenceCase(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
