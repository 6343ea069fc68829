import type { VerifyConfig } from '../../src/config/verify.config';

/** The verify settings of a default start-up (log provider), with `overrides` on top: for unit specs. */
export function verifyConfigWith(overrides: Partial<VerifyConfig> = {}): VerifyConfig {
  return {
    provider: 'log',
    v1: { baseUrl: 'https://api.authy.com/', apiKey: '' },
    v2: { baseUrl: 'https://verify.twilio.com/v2/', accountSid: '', authToken: '', serviceSid: '' },
    timeoutMs: 5000,
    codeLength: 6,
    codeTtlSeconds: 600,
    resendCooldownSeconds: 30,
    maxSendsPerHour: 5,
    maxCheckAttempts: 5,
    maxFailedChecksPerDay: 15,
    maxSendsPerNumberPerHour: 3,
    maxSendsPerAddressPerHour: 10,
    sendBudgetPerHour: 1000,
    testNumbers: new Map(),
    allowedCountries: [],
    allowVoip: false,
    ...overrides,
  };
}
