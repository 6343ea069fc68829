import { TestNumberProvider } from './test-number.provider';
import { VerificationProvider } from './verification-provider.interface';

const LISTED = { e164: '+447700900123', countryCode: '44', nationalNumber: '7700900123' };
const REAL = { e164: '+447123456789', countryCode: '44', nationalNumber: '7123456789' };

describe('TestNumberProvider', () => {
  const calls: string[] = [];
  const inner: VerificationProvider = {
    name: 'inner',
    channels: ['sms', 'call'],
    start: async () => {
      calls.push('start');
      return { reference: 'VE1' };
    },
    check: async () => {
      calls.push('check');
      return 'approved';
    },
    cancel: async () => {
      calls.push('cancel');
    },
  };
  const provider = new TestNumberProvider(inner, new Map([[LISTED.e164, '123456']]));

  beforeEach(() => {
    calls.length = 0;
  });

  it('sends nothing to a listed number, and its listed code confirms it', async () => {
    await expect(provider.start({ to: LISTED, channel: 'sms', codeLength: 6 })).resolves.toEqual({});
    await expect(provider.check({ to: LISTED, code: '123456' })).resolves.toBe('approved');
    await provider.cancel({ to: LISTED });
    expect(calls).toEqual([]);
  });

  it.each(['000000', '12345', '1234567'])('calls %s a wrong code for a listed number', async (code) => {
    await expect(provider.check({ to: LISTED, code })).resolves.toBe('wrong_code');
  });

  it('hands every other number to the provider', async () => {
    await expect(provider.start({ to: REAL, channel: 'sms', codeLength: 6 })).resolves.toEqual({
      reference: 'VE1',
    });
    await expect(provider.check({ to: REAL, code: '000000' })).resolves.toBe('approved');
    await provider.cancel({ to: REAL });
    expect(calls).toEqual(['start', 'check', 'cancel']);
    expect(provider.channels).toEqual(['sms', 'call']);
  });
});
