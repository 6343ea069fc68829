import { Logger } from '@nestjs/common';
import type { Request } from 'express';
import { corsOptionsDelegate, CorsSettings, judgeOrigin, WarningGate } from './cors';

const SETTINGS: CorsSettings = {
  origins: ['http://localhost:5173'],
  allowedHeaders: ['Authorization', 'Content-Type', 'traceparent'],
};

describe('judgeOrigin', () => {
  it.each<[string, Parameters<typeof judgeOrigin>[1], ReturnType<typeof judgeOrigin>]>([
    ['no Origin', { host: 'localhost:3000' }, { kind: 'none' }],
    ['a configured origin', { origin: 'http://localhost:5173' }, { kind: 'allowed', missingHeaders: [] }],
    [
      'allowed request headers, in any case',
      { origin: 'http://localhost:5173', requestedHeaders: 'authorization, Content-Type,TRACEPARENT' },
      { kind: 'allowed', missingHeaders: [] },
    ],
    [
      'a request header not allowed',
      { origin: 'http://localhost:5173', requestedHeaders: 'authorization,x-custom' },
      { kind: 'allowed', missingHeaders: ['x-custom'] },
    ],
    [
      'the service itself, by Host',
      { origin: 'http://localhost:3000', host: 'localhost:3000' },
      { kind: 'same-origin' },
    ],
    [
      'the service itself, by Sec-Fetch-Site',
      { origin: 'https://id.example.com', host: 'identity:3000', fetchSite: 'same-origin' },
      { kind: 'same-origin' },
    ],
    ['another origin', { origin: 'http://localhost:8080', host: 'localhost:3000' }, { kind: 'refused' }],
    ['a cross-site origin', { origin: 'https://evil.example', fetchSite: 'cross-site' }, { kind: 'refused' }],
    ['an opaque origin', { origin: 'null', host: 'localhost:3000' }, { kind: 'refused' }],
  ])('%s', (_case, request, verdict) => {
    expect(judgeOrigin(SETTINGS, request)).toEqual(verdict);
  });
});

describe('WarningGate', () => {
  it('lets a key through once per interval', () => {
    let now = 0;
    const gate = new WarningGate(60_000, () => now);

    expect(gate.allow('a')).toBe(true);
    expect(gate.allow('a')).toBe(false);
    expect(gate.allow('b')).toBe(true);
    now = 59_999;
    expect(gate.allow('a')).toBe(false);
    now = 60_000;
    expect(gate.allow('a')).toBe(true);
  });

  it('stays bounded when every key is new', () => {
    const gate = new WarningGate(60_000, () => 0);
    for (let index = 0; index < 5000; index++) gate.allow(`origin ${index}`);

    expect((gate as unknown as { lastWarned: Map<string, number> }).lastWarned.size).toBeLessThanOrEqual(
      1000,
    );
  });
});

describe('corsOptionsDelegate', () => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as Request;
  const optionsFor = (delegate: ReturnType<typeof corsOptionsDelegate>, headers: Record<string, string>) => {
    let options: unknown;
    delegate(request(headers), (_error, value) => (options = value));
    return options as { origin: unknown; allowedHeaders: string[]; exposedHeaders: string[] };
  };
  let warnings: string[];
  let logger: Logger;

  beforeEach(() => {
    warnings = [];
    logger = new Logger('Cors');
    jest.spyOn(logger, 'warn').mockImplementation((_fields: unknown, message?: unknown) => {
      warnings.push(String(message));
    });
  });

  it('allows a configured origin and exposes Retry-After', () => {
    const options = optionsFor(corsOptionsDelegate(SETTINGS, logger), { origin: 'http://localhost:5173' });

    expect(options.origin).toBe(true);
    expect(options.exposedHeaders).toContain('Retry-After');
    expect(options.allowedHeaders).toContain('traceparent');
    expect(warnings).toEqual([]);
  });

  it('refuses another origin with one warning naming it and CORS_ORIGINS, however often it comes', () => {
    const delegate = corsOptionsDelegate(SETTINGS, logger);

    for (let index = 0; index < 3; index++) {
      const options = optionsFor(delegate, { origin: 'http://localhost:8080', host: 'localhost:3000' });
      expect(options.origin).toEqual([]);
    }

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('http://localhost:8080');
    expect(warnings[0]).toContain('CORS_ORIGINS=http://localhost:8080');
  });

  it('says nothing about the service calling itself', () => {
    optionsFor(corsOptionsDelegate(SETTINGS, logger), {
      origin: 'http://localhost:3000',
      host: 'localhost:3000',
    });

    expect(warnings).toEqual([]);
  });

  it('names CORS_ALLOWED_HEADERS when a preflight asks for a header that is not allowed', () => {
    optionsFor(corsOptionsDelegate(SETTINGS, logger), {
      origin: 'http://localhost:5173',
      'access-control-request-headers': 'authorization,baggage',
    });

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('CORS_ALLOWED_HEADERS=baggage');
  });
});
