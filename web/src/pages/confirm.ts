import { PendingVerification, api, factsOf } from '../api.js';
import { announce, busy, field, formAlert, h } from '../dom.js';
import { errorSentence } from '../messages.js';
import { CHANNEL_PHRASES, Page, PageContext } from '../page.js';
import { session } from '../session.js';

export const confirmPage: Page = {
  title: 'Enter your code',
  signedIn: true,
  async render(context) {
    const status = await api.status();
    if (status.phoneNumberConfirmed) {
      queueMicrotask(() => context.navigate('account', 'Your phone number is already confirmed.'));
      return h('section', { class: 'card' }, h('h1', { tabindex: -1 }, 'Your number is confirmed'));
    }
    if (!status.pending) return nothingPending();
    return confirmView(context, status.pending);
  },
};

/** The verification is over (used up, cancelled, expired): what is left is to ask for a new code. */
const ENDED = new Set(['TOO_MANY_ATTEMPTS', 'NO_PENDING_VERIFICATION', 'VERIFICATION_EXPIRED']);

function confirmView(context: PageContext, pending: PendingVerification): HTMLElement {
  const alert = formAlert();
  const length = context.settings.codeLength;
  const sentTo = h('p', { class: 'lead' });
  const describeDestination = (to: string, channel: PendingVerification['channel']) => {
    sentTo.replaceChildren(
      `We sent a ${length}-digit code to `,
      h('strong', { class: 'nowrap' }, to),
      ` ${CHANNEL_PHRASES[channel]}. Enter it below.`,
    );
  };
  describeDestination(pending.to, pending.channel);

  const code = field({
    label: 'Code',
    name: 'code',
    attributes: {
      autocomplete: 'one-time-code',
      inputmode: 'numeric',
      pattern: '[0-9]*',
      maxlength: 10,
      required: true,
      spellcheck: 'false',
      class: 'code-input',
    },
  });
  const attempts = h('p', { class: 'attempts' });
  const showAttempts = (remaining: number) => {
    attempts.textContent = remaining === 1 ? '1 attempt left' : `${remaining} attempts left`;
  };
  showAttempts(pending.attemptsRemaining);

  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Confirm');
  const form = h('form', { novalidate: true }, alert.element, code.element, attempts, submit);
  const setUsable = (usable: boolean) => {
    code.input.disabled = !usable;
    submit.disabled = !usable;
  };
  if (pending.attemptsRemaining === 0) setUsable(false);

  const resend = resendButton(context, pending.resendAfterSeconds);
  resend.button.addEventListener('click', () => {
    alert.show(null);
    resend.button.disabled = true;
    void (async () => {
      try {
        const answer = await api.startVerification({ channel: pending.channel });
        describeDestination(answer.to, answer.channel);
        resend.countDown(answer.resendAfterSeconds);
        const status = await api.status();
        if (status.pending) showAttempts(status.pending.attemptsRemaining);
        setUsable(status.pending !== null && status.pending.attemptsRemaining > 0);
        code.input.value = '';
        announce(`We sent a new code to ${answer.to}.`);
        (code.input.disabled ? resend.button : code.input).focus();
      } catch (error) {
        const facts = factsOf(error);
        resend.countDown(facts.code === 'RESEND_TOO_SOON' ? (facts.retryAfterSeconds ?? 0) : 0);
        alert.show(errorSentence(facts));
      }
    })();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.show(null);
    const value = code.input.value.replace(/\s/g, '');
    code.setError(/^\d{4,10}$/.test(value) ? null : `Enter the ${length}-digit code, digits only.`);
    if (code.input.getAttribute('aria-invalid')) return code.input.focus();
    void busy(submit, async () => {
      try {
        const answer = await api.checkCode(value);
        session.replaceAccessToken(answer.accessToken);
        context.navigate('account', 'Your phone number is confirmed.');
        return false;
      } catch (error) {
        const facts = factsOf(error);
        if (facts.code === 'PHONE_ALREADY_CONFIRMED') {
          context.navigate('account', errorSentence(facts));
          return false;
        }
        alert.show(errorSentence(facts));
        if (facts.code === 'INVALID_CODE' && facts.attemptsRemaining !== undefined) {
          showAttempts(facts.attemptsRemaining);
        }
        if (facts.code === 'TOO_MANY_ATTEMPTS') showAttempts(0);
        const ended =
          ENDED.has(facts.code) || (facts.code === 'INVALID_CODE' && facts.attemptsRemaining === 0);
        if (!ended) {
          code.input.select();
          code.input.focus();
        }
        return ended;
      }
    }).then((ended) => {
      if (!ended) return;
      // Only a new code can go on from here: the field is closed and focus goes to the way forward.
      code.input.value = '';
      setUsable(false);
      (resend.button.disabled ? alert.element : resend.button).focus();
    });
  });

  return h(
    'section',
    { class: 'card' },
    h('h1', { tabindex: -1 }, 'Enter your code'),
    sentTo,
    form,
    h(
      'div',
      { class: 'resend' },
      h('p', { class: 'muted' }, 'No code yet?'),
      resend.button,
      h('a', { href: '#/verify', class: 'button link' }, 'Use a different number'),
    ),
  );
}

/** "Send a new code", disabled while the service's cooldown runs, showing the seconds left. */
function resendButton(context: PageContext, initialSeconds: number) {
  const button = h('button', { type: 'button', class: 'button secondary' }, 'Send a new code');
  let timer: number | undefined;
  const stop = () => window.clearInterval(timer);
  context.onLeave(stop);
  const countDown = (seconds: number) => {
    stop();
    const until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        stop();
        button.disabled = false;
        button.textContent = 'Send a new code';
        return;
      }
      button.disabled = true;
      button.textContent = `Send a new code (${left} s)`;
    };
    tick();
    if (seconds > 0) timer = window.setInterval(tick, 250);
  };
  countDown(initialSeconds);
  return { button, countDown };
}

function nothingPending(): HTMLElement {
  return h(
    'section',
    { class: 'card' },
    h('h1', { tabindex: -1 }, 'Enter your code'),
    h('p', { class: 'lead' }, 'There is no code waiting for you. Ask for one first.'),
    h('div', { class: 'actions' }, h('a', { href: '#/verify', class: 'button primary' }, 'Send a code')),
  );
}
