import { Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { Clock } from '../../src/common/clock';
import { FakeVerifyV1Server } from '../fakes/fake-verify-v1.server';
import { FakeVerifyV2Server } from '../fakes/fake-verify-v2.server';

export interface TestPhone {
  e164: string;
  countryCode: string;
  nationalNumber: string;
  /** As a person types it, with the trunk prefix. */
  typed: string;
}

/** A fresh, valid UK mobile number, so tests sharing one database never collide. */
export function uniqueMobile(): TestPhone {
  const subscriber = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const nationalNumber = `7123${subscriber}`;
  return {
    e164: `+44${nationalNumber}`,
    countryCode: '44',
    nationalNumber,
    typed: `0${nationalNumber.slice(0, 4)} ${nationalNumber.slice(4)}`,
  };
}

/** A clock the test moves forward, standing in for the service's `Clock`. */
export class TestClock extends Clock {
  private offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advanceSeconds(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

/** One verification provider as the e2e suite drives it: its configuration and where its codes can be read. */
export interface ProviderUnderTest {
  name: 'log' | 'twilio-v1' | 'twilio-v2';
  channels: string[];
  env(): Record<string, string>;
  /** The last code sent to this number. */
  codeFor(phone: TestPhone): string | undefined;
  /** How many codes the provider has sent. */
  sentCount(): number;
  close(): Promise<void>;
}

export const V1_API_KEY = 'test-authy-key-sentinel-7f3a9c';
export const V2_CREDENTIALS = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  authToken: 'test-auth-token-sentinel-1b2c3d',
  serviceSid: 'VA0123456789abcdef0123456789abcdef',
};

export async function logProvider(): Promise<ProviderUnderTest> {
  const lines: string[] = [];
  const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation(function (
    this: Logger,
    message: unknown,
  ) {
    if (typeof message === 'string') lines.push(message);
  });
  return {
    name: 'log',
    channels: ['sms', 'call'],
    env: () => ({ VERIFY_PROVIDER: 'log' }),
    codeFor: (phone) => {
      const masked = `+${phone.countryCode}******${phone.nationalNumber.slice(-3)}`;
      const line = lines.filter((text) => text.startsWith(`verification code for ${masked} `)).at(-1);
      return line?.match(/: (\d+)$/)?.[1];
    },
    sentCount: () => lines.filter((text) => text.startsWith('verification code for ')).length,
    close: async () => spy.mockRestore(),
  };
}

export async function twilioV1Provider(): Promise<ProviderUnderTest & { fake: FakeVerifyV1Server }> {
  const fake = await FakeVerifyV1Server.start({ apiKey: V1_API_KEY });
  return {
    name: 'twilio-v1',
    fake,
    channels: ['sms', 'call'],
    env: () => ({
      VERIFY_PROVIDER: 'twilio-v1',
      TWILIO_VERIFY_BASE_URL: fake.baseUrl,
      TWILIO_VERIFY_API_KEY: V1_API_KEY,
      VERIFY_TIMEOUT_MS: '1000',
    }),
    codeFor: (phone) => fake.lastCodeFor(phone.countryCode, phone.nationalNumber),
    sentCount: () => fake.sentMessages.length,
    close: () => fake.close(),
  };
}

export async function twilioV2Provider(): Promise<ProviderUnderTest & { fake: FakeVerifyV2Server }> {
  const fake = await FakeVerifyV2Server.start(V2_CREDENTIALS);
  return {
    name: 'twilio-v2',
    fake,
    channels: ['sms', 'call', 'whatsapp'],
    env: () => ({
      VERIFY_PROVIDER: 'twilio-v2',
      TWILIO_VERIFY_V2_BASE_URL: fake.baseUrl,
      TWILIO_ACCOUNT_SID: V2_CREDENTIALS.accountSid,
      TWILIO_AUTH_TOKEN: V2_CREDENTIALS.authToken,
      TWILIO_VERIFY_SERVICE_SID: V2_CREDENTIALS.serviceSid,
      VERIFY_TIMEOUT_MS: '1000',
    }),
    codeFor: (phone) => fake.lastCodeFor(phone.e164),
    sentCount: () => fake.sentMessages.length,
    close: () => fake.close(),
  };
}

export const PROVIDERS: Array<[string, () => Promise<ProviderUnderTest>]> = [
  ['log', logProvider],
  ['twilio-v1', twilioV1Provider],
  ['twilio-v2', twilioV2Provider],
];
