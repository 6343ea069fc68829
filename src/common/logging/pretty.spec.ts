import { formatPrettyMessage } from './pretty';

// Colours as visible markers, so that the specs can see what is highlighted.
const colors = new Proxy(
  {},
  { get: (_target, name: string) => (text: string) => `<${name}>${text}</${name}>` },
) as Parameters<typeof formatPrettyMessage>[2];

describe('formatPrettyMessage', () => {
  it('highlights the line of the development provider that carries a code', () => {
    const line = formatPrettyMessage(
      { context: 'LogVerificationProvider', msg: 'verification code for +44******789 by sms: 123456' },
      'msg',
      colors,
    );

    expect(line).toContain('<bgYellow>');
    expect(line).toContain('verification code for +44******789 by sms: 123456');
  });

  it('shows a request as method, path, status and time', () => {
    const line = formatPrettyMessage(
      {
        msg: 'request completed',
        req: { method: 'POST', url: '/auth/login' },
        res: { statusCode: 401 },
        responseTime: 12,
      },
      'msg',
      colors,
    );

    expect(line).toBe('POST /auth/login 401 12ms');
  });

  it('prefixes other lines with their context, and falls back on the event name', () => {
    expect(formatPrettyMessage({ context: 'Auth', msg: 'hello' }, 'msg', colors)).toBe(
      '<cyan>[Auth]</cyan> hello',
    );
    expect(formatPrettyMessage({ context: 'Auth', event: 'login' }, 'msg', colors)).toBe(
      '<cyan>[Auth]</cyan> login',
    );
    expect(formatPrettyMessage({ msg: 'plain' }, 'msg', colors)).toBe('plain');
  });
});
