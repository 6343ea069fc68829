import { Clock } from '../src/common/clock';
import { DATABASE_LABEL, RegisteredUser } from './utils/test-app';
import { Journey, journey } from './utils/verification-journey';
import {
  ProviderUnderTest,
  TestClock,
  twilioV1Provider,
  twilioV2Provider,
  uniqueMobile,
} from './utils/verification-providers';

describe.each([
  ['twilio-v1', twilioV1Provider],
  ['twilio-v2', twilioV2Provider],
] as Array<[string, () => Promise<ProviderUnderTest>]>)(
  `Idempotency-Key on start with %s (${DATABASE_LABEL})`,
  (_name, makeProvider) => {
    let provider: ProviderUnderTest;
    let clock: TestClock;
    let j: Journey;

    beforeAll(async () => {
      provider = await makeProvider();
      clock = new TestClock();
      j = await journey(provider, { override: (builder) => builder.overrideProvider(Clock).useValue(clock) });
    });

    afterAll(async () => {
      await j.app.close();
      await provider.close();
    });

    const startWithKey = (user: RegisteredUser, key: string, body: object = {}) =>
      j.start(user, body).set('Idempotency-Key', key);

    it('sends one code for parallel starts with one key, and gives every one of them the same answer', async () => {
      const user = await j.register();
      const body = { phoneNumber: uniqueMobile().e164 };
      const sentBefore = provider.sentCount();

      const answers = await Promise.all(
        Array.from({ length: 8 }, () => startWithKey(user, 'double-tap-1', body)),
      );

      expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(202));
      for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
      expect(provider.sentCount() - sentBefore).toBe(1);

      // A retry after a lost answer, later on: the same answer, nothing sent.
      clock.advanceSeconds(45);
      const retried = await startWithKey(user, 'double-tap-1', body).expect(202);
      expect(retried.body).toEqual(answers[0].body);
      expect(provider.sentCount() - sentBefore).toBe(1);
    });

    it('replays a refusal too, with its status and body', async () => {
      const user = await j.register();
      await j.start(user, { phoneNumber: uniqueMobile().e164 }).expect(202);
      const first = await startWithKey(user, 'resend-1').expect(429);
      expect(first.body.code).toBe('RESEND_TOO_SOON');

      clock.advanceSeconds(31);
      const repeat = await startWithKey(user, 'resend-1').expect(429);
      expect(repeat.body).toEqual(first.body);
      // A new key is a new request: the cooldown has passed.
      await startWithKey(user, 'resend-2').expect(202);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body, and sends nothing', async () => {
      const user = await j.register();
      await startWithKey(user, 'reused', { phoneNumber: uniqueMobile().e164 }).expect(202);
      const sentBefore = provider.sentCount();
      clock.advanceSeconds(31);

      const reused = await startWithKey(user, 'reused', { phoneNumber: uniqueMobile().e164 }).expect(422);

      expect(reused.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(provider.sentCount()).toBe(sentBefore);
    });

    it('keeps keys apart per user', async () => {
      const [ada, bob] = [await j.register(), await j.register()];
      await startWithKey(ada, 'shared-key', { phoneNumber: uniqueMobile().e164 }).expect(202);
      const sentBefore = provider.sentCount();
      await startWithKey(bob, 'shared-key', { phoneNumber: uniqueMobile().e164 }).expect(202);
      expect(provider.sentCount()).toBe(sentBefore + 1);
    });

    it('forgets a key after the code lifetime: the request then runs again', async () => {
      const user = await j.register();
      const body = { phoneNumber: uniqueMobile().e164 };
      await startWithKey(user, 'expiring', body).expect(202);
      const sentBefore = provider.sentCount();
      clock.advanceSeconds(601);

      await startWithKey(user, 'expiring', body).expect(202);
      expect(provider.sentCount()).toBe(sentBefore + 1);
    });

    it.each([
      ['empty', ''],
      ['longer than 255 characters', 'k'.repeat(256)],
      ['not visible ASCII', 'clé-1'],
      ['with a space', 'two words'],
    ])('refuses a key that is %s with 400 VALIDATION_FAILED, sending nothing', async (_label, key) => {
      const user = await j.register();
      const sentBefore = provider.sentCount();
      const response = await j
        .start(user, { phoneNumber: uniqueMobile().e164 })
        .set('Idempotency-Key', Buffer.from(key, 'latin1').toString('latin1'));
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(provider.sentCount()).toBe(sentBefore);
    });
  },
);
