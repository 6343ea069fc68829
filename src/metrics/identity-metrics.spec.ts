import { verifyConfigWith } from '../../test/utils/verify-config';
import { countryOf, UNKNOWN_COUNTRY } from './country';
import { IdentityMetrics } from './identity-metrics';

async function valuesOf(metrics: IdentityMetrics, name: string) {
  return (await metrics.registry.getSingleMetric(name)!.get()).values.map(({ labels, value }) => ({
    labels,
    value,
  }));
}

describe('IdentityMetrics', () => {
  const UK = { phoneE164: '+447123456789', channel: 'sms' };

  it('counts start outcomes as sends, by provider, channel, country and result', async () => {
    const metrics = new IdentityMetrics(verifyConfigWith({ provider: 'twilio-v2' }));
    metrics.verificationEvent('verification.start', UK, 'sent');
    metrics.verificationEvent('verification.start', UK, 'sent');
    metrics.verificationEvent('verification.start', { ...UK, channel: 'call' }, 'timeout');

    expect(await valuesOf(metrics, 'identity_verification_sends_total')).toEqual([
      { labels: { provider: 'twilio-v2', channel: 'sms', country: 'GB', result: 'sent' }, value: 2 },
      { labels: { provider: 'twilio-v2', channel: 'call', country: 'GB', result: 'timeout' }, value: 1 },
    ]);
  });

  it('counts check outcomes, and an approval by channel and country', async () => {
    const metrics = new IdentityMetrics(verifyConfigWith());
    metrics.verificationEvent('verification.check', UK, 'wrong_code');
    metrics.verificationEvent('verification.check', UK, 'approved');

    expect(await valuesOf(metrics, 'identity_verification_checks_total')).toEqual([
      { labels: { result: 'wrong_code' }, value: 1 },
      { labels: { result: 'approved' }, value: 1 },
    ]);
    expect(await valuesOf(metrics, 'identity_verification_approvals_total')).toEqual([
      { labels: { channel: 'sms', country: 'GB' }, value: 1 },
    ]);
  });

  it('ignores events that are neither a start nor a check', async () => {
    const metrics = new IdentityMetrics(verifyConfigWith());
    metrics.verificationEvent('verification.cancel', UK, 'canceled');
    expect(await valuesOf(metrics, 'identity_verification_sends_total')).toEqual([]);
    expect(await valuesOf(metrics, 'identity_verification_checks_total')).toEqual([]);
  });

  it('keeps each app in a registry of its own', async () => {
    const [first, second] = [
      new IdentityMetrics(verifyConfigWith()),
      new IdentityMetrics(verifyConfigWith()),
    ];
    first.login('success');
    expect(await valuesOf(first, 'identity_logins_total')).toEqual([
      { labels: { result: 'success' }, value: 1 },
    ]);
    expect(await valuesOf(second, 'identity_logins_total')).toEqual([]);
  });

  it('renders the app metrics and the process metrics in one text', async () => {
    const metrics = new IdentityMetrics(verifyConfigWith());
    metrics.observeRequest('GET', '/users/me', 200, 0.012);
    const text = await metrics.render();
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/users/me",status="200"} 1',
    );
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('countryOf', () => {
  it.each([
    ['+447123456789', 'GB'],
    ['+447797123456', 'JE'], // Jersey shares +44
    ['+12015550123', 'US'],
    ['+33612345678', 'FR'],
    ['+447700900123', UNKNOWN_COUNTRY], // a drama range: no country the plan can tell
    ['not a number', UNKNOWN_COUNTRY],
  ])('%s: %s', (e164, country) => {
    expect(countryOf(e164)).toBe(country);
  });
});
