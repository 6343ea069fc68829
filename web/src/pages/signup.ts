import { api } from '../api.js';
import { h } from '../dom.js';
import type { Page } from '../page.js';
import { credentialsForm } from './credentials-form.js';

export const signupPage: Page = {
  title: 'Create an account',
  signedIn: false,
  render: (context) =>
    credentialsForm(context, {
      heading: 'Create an account',
      intro: 'An email address and a password are all it takes. You can add and verify a phone number next.',
      submitLabel: 'Create account',
      newPassword: true,
      submit: (email, password) => api.register(email, password),
      welcome: 'Your account is ready.',
      footer: h('p', { class: 'switch' }, 'Already have an account? ', h('a', { href: '#/login' }, 'Log in')),
    }),
};
