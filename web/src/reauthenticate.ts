import { ApiError, api, beginSession, factsOf } from './api.js';
import { busy, field, formAlert, h } from './dom.js';
import { errorSentence } from './messages.js';
import { session } from './session.js';

/**
 * Runs `action`; when the service asks for a recent password (`REAUTHENTICATION_REQUIRED`), asks the reader
 * for it in a dialog, logs in again with it and runs `action` once more. `null` when the reader cancelled.
 */
export async function withRecentLogin<T>(action: () => Promise<T>): Promise<T | null> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'REAUTHENTICATION_REQUIRED') throw error;
    if (!(await askForPassword())) return null;
    return action();
  }
}

/** A modal dialog asking for the password; resolves `true` once a login with it succeeded. */
function askForPassword(): Promise<boolean> {
  const email = session.email ?? '';
  const password = field({
    label: 'Password',
    name: 'password',
    type: 'password',
    attributes: { autocomplete: 'current-password', required: true },
  });
  const alert = formAlert();
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Continue');
  const cancel = h('button', { type: 'button', class: 'button secondary' }, 'Cancel');
  const form = h(
    'form',
    { method: 'dialog', novalidate: true },
    h('h2', { id: 'reauth-title' }, 'Confirm it’s you'),
    h('p', {}, `For your security, enter the password of ${email} to change a confirmed number.`),
    alert.element,
    password.element,
    h('div', { class: 'actions' }, submit, cancel),
  );
  const dialog = h('dialog', { 'aria-labelledby': 'reauth-title', class: 'dialog' }, form);
  document.body.append(dialog);

  return new Promise((resolve) => {
    let confirmed = false;
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(confirmed);
    });
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!password.input.value) {
        password.setError('Enter your password.');
        password.input.focus();
        return;
      }
      void busy(submit, async () => {
        try {
          const previous = session.accessToken;
          beginSession(await api.login(email, password.input.value));
          // The log-in began a new session: the one it replaces is ended rather than left to expire.
          if (previous) void api.endSession(previous).catch(() => undefined);
          confirmed = true;
          dialog.close();
        } catch (error) {
          password.setError(null);
          alert.show(errorSentence(factsOf(error)));
          password.input.select();
          password.input.focus();
        }
      });
    });
    dialog.showModal();
    password.input.focus();
  });
}
