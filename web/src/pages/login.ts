import { api } from '../api.js';
import { h } from '../dom.js';
import type { Page } from '../page.js';
import { credentialsForm } from './credentials-form.js';

export const loginPage: Page = {
  title: 'Log in',
  signedIn: false,
  render: (context) =>
    credentialsForm(context, {
      heading: 'Log in',
      intro: 'Welcome back. Log in to see your account and verify your phone number.',
      submitLabel: 'Log in',
      newPassword: false,
      submit: (email, password) => api.login(email, password),
      welcome: 'You are logged in.',
      footer: h('p', { class: 'switch' }, 'New here? ', h('a', { href: '#/signup' }, 'Create an account')),
    }),
};
