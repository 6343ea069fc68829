import { User, api, factsOf } from '../api.js';
import { displayNumber } from '../countries.js';
import { busy, formAlert, h } from '../dom.js';
import { errorSentence } from '../messages.js';
import type { Page, PageContext } from '../page.js';
import { withRecentLogin } from '../reauthenticate.js';

export const accountPage: Page = {
  title: 'Your account',
  signedIn: true,
  async render(context) {
    return accountView(context, await api.me());
  },
};

function accountView(context: PageContext, user: User): HTMLElement {
  const alert = formAlert();
  const number = user.phoneNumber
    ? displayNumber(user.phoneCountryCode, user.phoneNationalNumber, user.phoneNumber)
    : null;
  const badge = user.phoneNumberConfirmed
    ? h('span', { class: 'badge confirmed' }, 'Confirmed')
    : h('span', { class: 'badge unconfirmed' }, 'Not confirmed');

  const details = h(
    'dl',
    { class: 'details' },
    h('div', {}, h('dt', {}, 'Email address'), h('dd', {}, user.email)),
    h(
      'div',
      {},
      h('dt', {}, 'Phone number'),
      number
        ? h('dd', { class: 'phone' }, h('span', { class: 'number' }, number), ' ', badge)
        : h('dd', { class: 'muted' }, 'No phone number yet'),
    ),
  );

  const actions = h('div', { class: 'actions' });
  if (!number) {
    actions.append(h('a', { href: '#/verify', class: 'button primary' }, 'Add a phone number'));
  } else {
    if (!user.phoneNumberConfirmed) {
      actions.append(h('a', { href: '#/verify', class: 'button primary' }, 'Verify your number'));
    }
    actions.append(
      h('a', { href: '#/verify', class: 'button secondary' }, 'Change number'),
      removeButton(context, number, alert.show),
    );
  }

  return h(
    'section',
    { class: 'card' },
    h('h1', { tabindex: -1 }, 'Your account'),
    alert.element,
    details,
    actions,
  );
}

/** "Remove number", then a confirmation in place, so one slip of a key removes nothing. */
function removeButton(
  context: PageContext,
  number: string,
  showError: (message: string | null) => void,
): HTMLElement {
  const start = h('button', { type: 'button', class: 'button link danger' }, 'Remove number');
  const confirm = h('button', { type: 'button', class: 'button danger' }, 'Yes, remove it');
  const keep = h('button', { type: 'button', class: 'button secondary' }, 'Keep it');
  const question = h('p', { id: 'remove-question', tabindex: -1 }, `Remove ${number} from your account?`);
  const confirmation = h(
    'div',
    { class: 'confirmation', role: 'group', 'aria-labelledby': 'remove-question', hidden: true },
    question,
    h('div', { class: 'actions' }, confirm, keep),
  );
  start.addEventListener('click', () => {
    confirmation.hidden = false;
    start.hidden = true;
    question.focus();
  });
  keep.addEventListener('click', () => {
    confirmation.hidden = true;
    start.hidden = false;
    start.focus();
  });
  confirm.addEventListener('click', () => {
    showError(null);
    void busy(confirm, async () => {
      try {
        const removed = await withRecentLogin(() => api.removePhone());
        if (removed) context.navigate('account', 'Your phone number was removed.');
      } catch (error) {
        showError(errorSentence(factsOf(error)));
      }
    });
  });
  return h('div', { class: 'remove' }, start, confirmation);
}
