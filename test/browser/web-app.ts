import { AbstractLoader, ExpressLoader } from '@nestjs/serve-static';
import { PARAMS_PROVIDER_TOKEN, Params } from 'nestjs-pino';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { Clock } from '../../src/common/clock';
import { loggerOptions } from '../../src/common/logging/logger.options';
import { appConfig } from '../../src/config';
import type { AppConfig } from '../../src/config/app.config';
import { createTestApp, TestApp } from '../utils/test-app';

/** The service log, line by line, as the process would print it; tests wait for lines in it. */
export class LogLines extends Writable {
  readonly lines: string[] = [];
  private waiters: { pattern: RegExp; after: number; resolve: (match: RegExpMatchArray) => void }[] = [];
  private partial = '';

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      this.waiters = this.waiters.filter((waiter) => !this.settle(waiter, this.lines.length - 1));
    }
    done();
  }

  /** How many lines were written so far: pass as `after` to wait only for newer ones. */
  mark(): number {
    return this.lines.length;
  }

  /** The first line from `after` on that matches `pattern`, as soon as it is written. */
  waitFor(pattern: RegExp, after = 0, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    for (let index = after; index < this.lines.length; index += 1) {
      const match = this.lines[index].match(pattern);
      if (match) return Promise.resolve(match);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no log line matched ${pattern} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        pattern,
        after,
        resolve: (match) => {
          clearTimeout(timer);
          resolve(match);
        },
      });
    });
  }

  private settle(waiter: LogLines['waiters'][number], index: number): boolean {
    if (index < waiter.after) return false;
    const match = this.lines[index].match(waiter.pattern);
    if (match) waiter.resolve(match);
    return match !== null;
  }
}

export interface WebApp {
  baseUrl: string;
  log: LogLines;
  testApp: TestApp;
  /** The code the development provider logged for a number ending in `lastDigits`, sent after `after`. */
  codeFor(lastDigits: string, after?: number): Promise<string>;
  close(): Promise<void>;
}

/** The app with the demo client on, listening on a free port of 127.0.0.1, its log captured. */
export async function startWebApp(
  env: Record<string, string | undefined> = {},
  options: { clock?: Clock } = {},
): Promise<WebApp> {
  const log = new LogLines();
  const testApp = await createTestApp({
    env: {
      DEMO_UI: 'true',
      LOG_LEVEL: 'info',
      // Every test sends from 127.0.0.1: the per-address and service-wide caps would mix the tests up.
      VERIFY_MAX_SENDS_PER_ADDRESS_PER_HOUR: '0',
      VERIFY_SEND_BUDGET_PER_HOUR: '0',
      ...env,
    },
    override: (builder) =>
      builder
        .overrideProvider(PARAMS_PROVIDER_TOKEN)
        .useFactory({
          inject: [appConfig.KEY],
          factory: (config: AppConfig): Params => {
            // The service's own options, written to this stream instead of its usual destination.
            const params = loggerOptions(config);
            const options = Array.isArray(params.pinoHttp) ? params.pinoHttp[0] : params.pinoHttp;
            return { ...params, pinoHttp: [options ?? {}, log] } as Params;
          },
        })
        // A testing module is compiled before its HTTP adapter exists, so serve-static would pick its no-op
        // loader; the app is served by Express, as from main.ts.
        .overrideProvider(AbstractLoader)
        .useValue(new ExpressLoader())
        .overrideProvider(Clock)
        .useValue(options.clock ?? new Clock()),
  });
  await testApp.app.listen(0, '127.0.0.1');
  const { port } = testApp.app.getHttpServer().address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    log,
    testApp,
    async codeFor(lastDigits, after = 0) {
      const pattern = new RegExp(`verification code for \\+\\d+\\*+${lastDigits} by \\w+: (\\d+)`);
      return (await log.waitFor(pattern, after))[1];
    },
    close: () => testApp.close(),
  };
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM });
}

/** A fresh browser profile on the app: nothing shared between tests. Page errors fail the test. */
export async function openClient(
  browser: Browser,
  app: WebApp,
  viewport = { width: 1024, height: 800 },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: app.baseUrl, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of (4|5)\d\d/.test(message.text()))
      errors.push(message.text());
  });
  await page.goto('/');
  return { context, page, errors };
}

/** Whether keyboard focus is on the element `locator` finds. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === element.ownerDocument.activeElement);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2.1 A/AA checks of the page as it is now; the rules it finds broken. */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, so the page's Content Security Policy does not stop it.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(`axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }).then((r) => r.violations.map(({ id, impact, help, nodes }) => ({
    id, impact, help, nodes: nodes.map((n) => ({ target: n.target })),
  })))`);
  return result as AxeViolation[];
}
