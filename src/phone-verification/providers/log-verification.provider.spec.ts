import { Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHash, randomInt } from 'node:crypto';
import { verifyConfig } from '../../config/verify.config';
import { LogVerificationProvider } from './log-verification.provider';
import { VerificationDestination } from './verification-provider.interface';
import { verifyConfigWith } from '../../../test/utils/verify-config';

// The real randomInt, wrapped so that one test can pin a code with leading zeros.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, randomInt: jest.fn(actual.randomInt) };
});

const TO: VerificationDestination = {
  e164: '+447123456789',
  countryCode: '44',
  nationalNumber: '7123456789',
};
const OTHER: VerificationDestination = {
  e164: '+447911123456',
  countryCode: '44',
  nationalNumber: '7911123456',
};
const NOW = new Date('2026-11-25T10:00:00.000Z');

function configWith(
  overrides: Partial<ConfigType<typeof verifyConfig>> = {},
): ConfigType<typeof verifyConfig> {
  return verifyConfigWith(overrides);
}

describe('LogVerificationProvider', () => {
  let logLines: string[];

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW });
    logLines = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => {
      logLines.push(String(message));
    });
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  /** Starts a verification and reads its code back from the log line, as a developer would. */
  async function startAndReadCode(
    provider: LogVerificationProvider,
    to: VerificationDestination = TO,
    codeLength = 6,
  ): Promise<string> {
    const before = logLines.length;
    await expect(provider.start({ to, channel: 'sms', codeLength })).resolves.toEqual({});
    expect(logLines).toHaveLength(before + 1);
    const match = /: (\d+)$/.exec(logLines[before]);
    expect(match).not.toBeNull();
    return match![1];
  }

  function wrongCodeFor(code: string): string {
    return code
      .split('')
      .map((digit) => String((Number(digit) + 1) % 10))
      .join('');
  }

  it('offers sms and call, and no WhatsApp', () => {
    expect(new LogVerificationProvider(configWith()).channels).toEqual(['sms', 'call']);
  });

  it.each([4, 6, 10])('writes a code of exactly %i digits to the log', async (codeLength) => {
    const provider = new LogVerificationProvider(configWith({ codeLength }));

    for (let i = 0; i < 20; i++) {
      const code = await startAndReadCode(provider, TO, codeLength);
      expect(code).toMatch(new RegExp(`^\\d{${codeLength}}$`));
    }
  });

  it('keeps leading zeros, so a small random number still makes a full-length code', async () => {
    jest.mocked(randomInt).mockReturnValueOnce(42 as never);
    const provider = new LogVerificationProvider(configWith());

    const code = await startAndReadCode(provider);

    expect(code).toBe('000042');
    await expect(provider.check({ to: TO, code: '000042' })).resolves.toBe('approved');
  });

  it('approves the right code once: a second check finds nothing', async () => {
    const provider = new LogVerificationProvider(configWith());
    const code = await startAndReadCode(provider);

    await expect(provider.check({ to: TO, code })).resolves.toBe('approved');
    await expect(provider.check({ to: TO, code })).resolves.toBe('not_found');
  });

  it('answers wrong_code to a wrong code and keeps the verification pending', async () => {
    const provider = new LogVerificationProvider(configWith());
    const code = await startAndReadCode(provider);

    await expect(provider.check({ to: TO, code: wrongCodeFor(code) })).resolves.toBe('wrong_code');
    await expect(provider.check({ to: TO, code: code.slice(0, -1) })).resolves.toBe('wrong_code');
    await expect(provider.check({ to: TO, code })).resolves.toBe('approved');
  });

  it('checks a code only for the number it was sent to', async () => {
    const provider = new LogVerificationProvider(configWith());
    const code = await startAndReadCode(provider, TO);

    await expect(provider.check({ to: OTHER, code })).resolves.toBe('not_found');
    await expect(provider.check({ to: TO, code })).resolves.toBe('approved');
  });

  it('replaces the code on a re-send: only the newest code is right', async () => {
    const provider = new LogVerificationProvider(configWith({ codeLength: 10 }));
    const first = await startAndReadCode(provider, TO, 10);
    const second = await startAndReadCode(provider, TO, 10);
    expect(second).not.toBe(first);

    await expect(provider.check({ to: TO, code: first })).resolves.toBe('wrong_code');
    await expect(provider.check({ to: TO, code: second })).resolves.toBe('approved');
  });

  it('forgets a code once codeTtlSeconds have passed', async () => {
    const provider = new LogVerificationProvider(configWith({ codeTtlSeconds: 300 }));
    const code = await startAndReadCode(provider);

    jest.setSystemTime(NOW.getTime() + 300_000);

    await expect(provider.check({ to: TO, code })).resolves.toBe('not_found');
  });

  it('still approves the right code just before it expires', async () => {
    const provider = new LogVerificationProvider(configWith({ codeTtlSeconds: 300 }));
    const code = await startAndReadCode(provider);

    jest.setSystemTime(NOW.getTime() + 299_999);

    await expect(provider.check({ to: TO, code })).resolves.toBe('approved');
  });

  it('forgets a cancelled verification', async () => {
    const provider = new LogVerificationProvider(configWith());
    const code = await startAndReadCode(provider);

    await expect(provider.cancel({ to: TO })).resolves.toBeUndefined();

    await expect(provider.check({ to: TO, code })).resolves.toBe('not_found');
  });

  it('masks the number in the log line', async () => {
    const provider = new LogVerificationProvider(configWith());

    await startAndReadCode(provider);

    expect(logLines[0]).toContain('+44******789');
    expect(logLines[0]).not.toContain(TO.e164);
    expect(logLines[0]).not.toContain(TO.nationalNumber);
  });

  it('keeps no plaintext code, nor an unkeyed hash of it', async () => {
    const provider = new LogVerificationProvider(configWith());
    const code = await startAndReadCode(provider);

    const stored = [...provider['pending'].values()];
    expect(stored).toHaveLength(1);
    for (const entry of stored) {
      for (const value of Object.values(entry)) {
        expect(value).not.toBe(code);
        expect(value).not.toBe(Number(code));
        if (Buffer.isBuffer(value)) {
          expect(value.includes(code)).toBe(false);
          expect(value.equals(createHash('sha256').update(code).digest())).toBe(false);
        }
      }
    }
    expect(JSON.stringify([...provider['pending'].entries()])).not.toContain(`"${code}"`);
  });
});
