import { Channel, User, api, factsOf } from '../api.js';
import { Country, defaultCountry } from '../countries.js';
import { busy, field, formAlert, h, nextId } from '../dom.js';
import { errorSentence } from '../messages.js';
import { CHANNEL_LABELS, Page, PageContext } from '../page.js';
import { withRecentLogin } from '../reauthenticate.js';
import { showFieldDetails } from './credentials-form.js';

export const verifyPage: Page = {
  title: 'Verify your phone number',
  signedIn: true,
  async render(context) {
    return verifyView(context, await api.me());
  },
};

/** Errors that are about the number itself: shown under the number field. */
const NUMBER_ERRORS = new Set(['INVALID_PHONE_NUMBER', 'COUNTRY_NOT_ALLOWED', 'PHONE_NUMBER_REQUIRED']);

function verifyView(context: PageContext, user: User): HTMLElement {
  const changing = user.phoneNumberConfirmed;
  const alert = formAlert();
  const initial = defaultCountry(context.countries, user.phoneCountryCode, navigator.languages);

  const countryId = nextId('country');
  const select = h('select', { id: countryId, name: 'country', autocomplete: 'tel-country-code' });
  for (const country of context.countries) {
    select.append(
      h(
        'option',
        { value: country.region, selected: country === initial },
        `${country.name} (+${country.callingCode})`,
      ),
    );
  }
  const countryField = h('div', { class: 'field' }, h('label', { for: countryId }, 'Country'), select);

  const phone = field({
    label: 'Phone number',
    name: 'phoneNumber',
    type: 'tel',
    hint: exampleHint(initial),
    attributes: { autocomplete: 'tel-national', inputmode: 'tel', required: true, maxlength: 40 },
  });
  if (user.phoneNationalNumber && !changing) phone.input.value = user.phoneNationalNumber;
  select.addEventListener('change', () => {
    const hint = phone.element.querySelector('.hint');
    if (hint) hint.textContent = exampleHint(selectedCountry(context, select));
  });

  const channels = channelChoice(context.settings.channels);
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Send code');
  const form = h(
    'form',
    { novalidate: true },
    alert.element,
    countryField,
    phone.element,
    channels.element,
    h(
      'div',
      { class: 'actions' },
      submit,
      h('a', { href: '#/account', class: 'button secondary' }, 'Cancel'),
    ),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.show(null);
    const country = selectedCountry(context, select);
    const typed = phone.input.value.trim();
    phone.setError(typed ? null : 'Enter your phone number.');
    if (!typed || !country) return phone.input.focus();
    const number = { countryCode: Number(country.callingCode), phoneNumber: typed };
    void busy(submit, async () => {
      try {
        const channel = channels.value();
        // A confirmed number is replaced first (which may ask for the password); `start` only takes a
        // number from a user whose number is not yet confirmed.
        if (changing && !(await withRecentLogin(() => api.setPhone(number)))) return;
        await api.startVerification(changing ? { channel } : { channel, ...number });
        context.navigate('confirm');
      } catch (error) {
        const facts = factsOf(error);
        if (NUMBER_ERRORS.has(facts.code)) {
          phone.setError(errorSentence(facts));
          phone.input.focus();
        } else if (facts.code === 'PHONE_ALREADY_CONFIRMED') {
          context.navigate('account', errorSentence(facts));
        } else {
          alert.show(errorSentence(facts));
          showFieldDetails(error, { phoneNumber: phone, countryCode: phone });
        }
      }
    });
  });

  return h(
    'section',
    { class: 'card' },
    h('h1', { tabindex: -1 }, changing ? 'Change your phone number' : 'Verify your phone number'),
    h(
      'p',
      { class: 'lead' },
      changing
        ? 'The new number replaces your confirmed one, and is confirmed once you enter the code we send to it.'
        : 'We will send a code to this number to make sure it is yours.',
    ),
    form,
  );
}

function selectedCountry(context: PageContext, select: HTMLSelectElement): Country | undefined {
  return context.countries.find((country) => country.region === select.value);
}

function exampleHint(country: Country | undefined): string {
  // Non-breaking spaces: the example number stays on one line.
  const example = country?.example.replace(/ /g, '\u00a0');
  return example ? `As you would dial it at home, for example ${example}.` : 'As you would dial it at home.';
}

/** The ways a code can travel, as radio buttons; only those the configured provider offers. */
function channelChoice(offered: readonly Channel[]): { element: HTMLElement; value(): Channel } {
  const name = nextId('channel');
  const options = offered.map((channel, index) => {
    const input = h('input', {
      type: 'radio',
      name,
      value: channel,
      id: `${name}-${channel}`,
      checked: index === 0,
    });
    return h(
      'div',
      { class: 'choice' },
      input,
      h('label', { for: `${name}-${channel}` }, CHANNEL_LABELS[channel]),
    );
  });
  const element = h('fieldset', { class: 'field choices' }, h('legend', {}, 'Send the code by'), ...options);
  return {
    element,
    value: () => (element.querySelector<HTMLInputElement>('input:checked')?.value ?? 'sms') as Channel,
  };
}
