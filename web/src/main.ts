import { ApiError, DemoSettings, api, factsOf } from './api.js';
import { COUNTRIES } from './countries-data.js';
import { pickerCountries } from './countries.js';
import { announce, h } from './dom.js';
import { errorSentence } from './messages.js';
import type { Page, PageContext, Route } from './page.js';
import { accountPage } from './pages/account.js';
import { confirmPage } from './pages/confirm.js';
import { loginPage } from './pages/login.js';
import { signupPage } from './pages/signup.js';
import { verifyPage } from './pages/verify.js';
import { session } from './session.js';

const PAGES: Record<Route, Page> = {
  login: loginPage,
  signup: signupPage,
  account: accountPage,
  verify: verifyPage,
  confirm: confirmPage,
};

const APP_NAME = 'Identity';
const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('session-nav') as HTMLElement;

let pendingNotice: string | null = null;
let leaveCallbacks: (() => void)[] = [];
let rendering = 0;

/** The page a URL fragment names (`#/account`), or the right start page. */
function routeOf(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split('?')[0];
  if (name in PAGES) return name as Route;
  return session.signedIn ? 'account' : 'login';
}

function navigate(route: Route, notice?: string): void {
  pendingNotice = notice ?? null;
  if (location.hash === `#/${route}`) void show(route);
  else location.hash = `#/${route}`;
}

async function show(route: Route): Promise<void> {
  const page = PAGES[route];
  if (page.signedIn !== session.signedIn) {
    navigate(session.signedIn ? 'account' : 'login', pendingNotice ?? undefined);
    return;
  }
  for (const cleanup of leaveCallbacks) cleanup();
  leaveCallbacks = [];
  const ticket = ++rendering;
  const notice = pendingNotice;
  pendingNotice = null;
  main.setAttribute('aria-busy', 'true');
  let content: HTMLElement;
  try {
    content = await page.render(context);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHORIZED') return; // the session's end handler moves on
    content = failure(error);
  }
  // A newer navigation started while this page was loading: it wins.
  if (ticket !== rendering) return;
  main.removeAttribute('aria-busy');
  if (notice) {
    const shown = h('p', { class: 'notice', role: 'status' }, notice);
    const heading = content.querySelector('h1');
    if (heading) heading.after(shown);
    else content.prepend(shown);
  }
  main.replaceChildren(content);
  document.title = `${page.title} · ${APP_NAME}`;
  renderNav();
  const heading = main.querySelector<HTMLElement>('h1');
  heading?.focus();
  if (notice) announce(notice);
}

function failure(error: unknown): HTMLElement {
  const retry = h('button', { type: 'button', class: 'button primary' }, 'Try again');
  retry.addEventListener('click', () => void show(routeOf(location.hash)));
  return h(
    'section',
    { class: 'card' },
    h('h1', { tabindex: -1 }, 'Something went wrong'),
    h('p', { role: 'alert' }, errorSentence(factsOf(error))),
    h('div', { class: 'actions' }, retry),
  );
}

function renderNav(): void {
  if (!session.signedIn) {
    nav.replaceChildren();
    return;
  }
  const logout = h('button', { type: 'button', class: 'button link' }, 'Log out');
  logout.addEventListener('click', () => {
    logout.disabled = true;
    // Revokes the session where the service supports it; the tokens are forgotten here in any case.
    void api
      .logout()
      .catch(() => undefined)
      .finally(() => {
        session.clear();
        navigate('login', 'You are logged out.');
      });
  });
  nav.replaceChildren(h('span', { class: 'who' }, session.email ?? ''), logout);
}

const context: PageContext = {
  settings: { allowedCountries: [], channels: ['sms', 'call'], codeLength: 6 },
  countries: [],
  navigate,
  onLeave: (cleanup) => leaveCallbacks.push(cleanup),
};

async function loadSettings(): Promise<DemoSettings> {
  try {
    return await api.settings();
  } catch {
    // Without them the picker offers every country and the service judges the number.
    return context.settings;
  }
}

async function start(): Promise<void> {
  session.onEnd(() => navigate('login', 'Your session has ended. Please log in again.'));
  const [settings] = await Promise.all([loadSettings(), session.renew()]);
  context.settings = settings;
  context.countries = pickerCountries(COUNTRIES, settings.allowedCountries, navigator.language);
  if (session.signedIn && !session.email) session.email = (await api.me().catch(() => null))?.email ?? null;
  window.addEventListener('hashchange', () => void show(routeOf(location.hash)));
  await show(routeOf(location.hash));
}

void start();
