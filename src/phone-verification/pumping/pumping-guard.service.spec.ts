import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
import { PumpingConfig, PumpingGuardMode } from '../../config/pumping.config';
import { IdentityMetrics } from '../../metrics/identity-metrics';
import { verifyConfigWith } from '../../../test/utils/verify-config';
import { PumpingGuard } from './pumping-guard.service';

class FakeClock extends Clock {
  private nowMs = Date.UTC(2026, 10, 29, 10, 0, 0);

  override now(): Date {
    return new Date(this.nowMs);
  }

  advanceSeconds(seconds: number): void {
    this.nowMs += seconds * 1000;
  }
}

const MIN_SENDS = 5;
const ALARM = 'verification.pumping_suspected';

// The same rules with this instance's memory and with counters shared through a real Redis.
const STORES: Array<['memory' | 'redis']> = [['memory'], ['redis']];

describe.each(STORES)('PumpingGuard (%s)', (store) => {
  let clock: FakeClock;
  let errors: unknown[];
  let redis: Redis | null = null;
  const clients: Redis[] = [];

  function guard(mode: PumpingGuardMode, metrics = new IdentityMetrics(verifyConfigWith())): PumpingGuard {
    const config: PumpingConfig = { mode, minSends: MIN_SENDS, minConversion: 0.2 };
    return new PumpingGuard(redis, config, clock, metrics);
  }

  async function sendMany(target: PumpingGuard, country: string, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) await target.recordSend(country);
  }

  const alarms = () => errors.filter((entry) => (entry as { event?: string }).event === ALARM);

  beforeEach(() => {
    clock = new FakeClock();
    errors = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      errors.push(message);
    });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    if (store === 'redis') {
      redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `spec-${randomBytes(6).toString('hex')}:` });
      clients.push(redis);
    }
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    for (const client of clients) {
      const keys = await client.keys(`${client.options.keyPrefix}*`);
      const prefix = client.options.keyPrefix!.length;
      if (keys.length > 0) await client.del(...keys.map((key) => key.slice(prefix)));
      await client.quit();
    }
  });

  describe('alarm', () => {
    it('logs an error-level event when a country crosses the line, with its counts and no number', async () => {
      const target = guard('alarm');
      await sendMany(target, 'GB', MIN_SENDS - 1);
      expect(alarms()).toEqual([]);

      await target.recordSend('GB');

      expect(alarms()).toEqual([
        {
          event: ALARM,
          country: 'GB',
          sends: MIN_SENDS,
          approvals: 0,
          conversion: 0,
          minSends: MIN_SENDS,
          minConversion: 0.2,
          action: 'alarm',
        },
      ]);
    });

    it('alarms once per country per hour, and again in the next hour', async () => {
      const target = guard('alarm');
      await sendMany(target, 'GB', MIN_SENDS * 3);
      await sendMany(target, 'FR', MIN_SENDS);
      expect(alarms().map((alarm) => (alarm as { country: string }).country)).toEqual(['GB', 'FR']);

      clock.advanceSeconds(3599);
      await sendMany(target, 'GB', MIN_SENDS);
      expect(alarms()).toHaveLength(2);

      clock.advanceSeconds(1);
      await sendMany(target, 'GB', MIN_SENDS);
      expect(alarms()).toHaveLength(3);
    });

    it('does not alarm while enough sends are approved', async () => {
      const target = guard('alarm');
      // One send in four approved: 25 %, never below 20 % at any point.
      for (let i = 0; i < MIN_SENDS * 4; i += 1) {
        await target.recordSend('GB');
        if (i % 4 === 0) await target.recordApproval('GB');
      }
      expect(alarms()).toEqual([]);
    });

    it('never refuses a send', async () => {
      const target = guard('alarm');
      await sendMany(target, 'GB', MIN_SENDS * 2);
      await expect(target.assertSendAllowed('GB')).resolves.toBeUndefined();
    });

    it('is shared by the instances of one Redis: one alarm for all of them', async () => {
      if (!redis) return; // memory is one instance's by design
      const [first, second] = [guard('alarm'), guard('alarm')];
      await sendMany(first, 'GB', MIN_SENDS - 1);
      await second.recordSend('GB');
      await first.recordSend('GB');
      expect(alarms()).toHaveLength(1);
    });
  });

  describe('block', () => {
    it('refuses sends to a suspect country with DESTINATION_BLOCKED, and alarms', async () => {
      const target = guard('block');
      await sendMany(target, 'GB', MIN_SENDS - 1);
      await expect(target.assertSendAllowed('GB')).resolves.toBeUndefined();
      await target.recordSend('GB');

      const error = await target.assertSendAllowed('GB').catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'DESTINATION_BLOCKED', status: 403 });
      expect(alarms()).toHaveLength(1);
      expect((alarms()[0] as { action: string }).action).toBe('block');
      await expect(target.assertSendAllowed('FR')).resolves.toBeUndefined();
    });

    it('lets sends through again once the conversion recovers', async () => {
      const target = guard('block');
      await sendMany(target, 'GB', MIN_SENDS);
      await expect(target.assertSendAllowed('GB')).rejects.toMatchObject({ code: 'DESTINATION_BLOCKED' });

      await target.recordApproval('GB');
      await expect(target.assertSendAllowed('GB')).resolves.toBeUndefined();
    });

    it('lets sends through again once the sends have aged out of the hour', async () => {
      const target = guard('block');
      await sendMany(target, 'GB', MIN_SENDS);
      clock.advanceSeconds(3540);
      await expect(target.assertSendAllowed('GB')).rejects.toMatchObject({ code: 'DESTINATION_BLOCKED' });

      clock.advanceSeconds(60);
      await expect(target.assertSendAllowed('GB')).resolves.toBeUndefined();
    });

    it('blocks on the counts of every instance sharing Redis', async () => {
      if (!redis) return;
      const [first, second] = [guard('block'), guard('block')];
      await sendMany(first, 'GB', MIN_SENDS - 1);
      await second.recordSend('GB');
      await expect(first.assertSendAllowed('GB')).rejects.toMatchObject({ code: 'DESTINATION_BLOCKED' });
    });
  });

  describe('off', () => {
    it('neither alarms nor blocks, but still counts for the conversion gauge', async () => {
      const target = guard('off');
      await sendMany(target, 'GB', MIN_SENDS * 2);
      await expect(target.assertSendAllowed('GB')).resolves.toBeUndefined();
      expect(alarms()).toEqual([]);
      expect(await target.conversions()).toEqual([{ country: 'GB', sends: MIN_SENDS * 2, approvals: 0 }]);
    });
  });

  describe('conversions', () => {
    it('reports each country active in the last hour, and forgets the quiet ones', async () => {
      const target = guard('alarm');
      await sendMany(target, 'GB', 4);
      await target.recordApproval('GB');
      clock.advanceSeconds(1800);
      await sendMany(target, 'FR', 2);

      const byCountry = (list: Array<{ country: string }>) =>
        [...list].sort((a, b) => a.country.localeCompare(b.country));
      expect(byCountry(await target.conversions())).toEqual([
        { country: 'FR', sends: 2, approvals: 0 },
        { country: 'GB', sends: 4, approvals: 1 },
      ]);

      clock.advanceSeconds(1800);
      expect(await target.conversions()).toEqual([{ country: 'FR', sends: 2, approvals: 0 }]);
    });

    it('feeds the conversion gauge of the metrics', async () => {
      const metrics = new IdentityMetrics(verifyConfigWith());
      const target = guard('alarm', metrics);
      await sendMany(target, 'GB', 4);
      await target.recordApproval('GB');

      const gauge = await metrics.registry.getSingleMetric('identity_verification_conversion_ratio')!.get();
      expect(gauge.values).toEqual([{ labels: { country: 'GB' }, value: 0.25 }]);
    });
  });
});
