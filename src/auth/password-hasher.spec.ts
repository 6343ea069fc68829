import * as argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import { PasswordHasher } from './password-hasher';
import { hashConcurrency, threadPoolSize } from '../config/thread-pool';

// ts-jest emits CommonJS, where `import * as argon2` is a getter-only copy of the module per importing file:
// jest.spyOn cannot redefine its properties, so the real functions are wrapped here to count how many run.
const mockArgon2Calls = { running: 0, peak: 0 };
jest.mock('argon2', () => {
  const actual = jest.requireActual<typeof import('argon2')>('argon2');
  const tracked = async <T>(call: () => Promise<T>): Promise<T> => {
    mockArgon2Calls.running += 1;
    mockArgon2Calls.peak = Math.max(mockArgon2Calls.peak, mockArgon2Calls.running);
    try {
      return await call();
    } finally {
      mockArgon2Calls.running -= 1;
    }
  };
  return {
    ...actual,
    hash: jest.fn((password: string | Buffer, options?: import('argon2').HashOptions) =>
      tracked(() => actual.hash(password, options)),
    ),
    verify: jest.fn((digest: string, password: string | Buffer) =>
      tracked(() => actual.verify(digest, password)),
    ),
  };
});

/**
 * Checks a PHC string `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<digest>`. The parameters are compared as a set:
 * node-argon2 0.45 writes them as `m=19456,p=1,t=2` (ranisalt/node-argon2#559), which it verifies fine.
 */
function expectArgon2idHash(hash: string): void {
  const [before, id, version, params, salt, digest, ...rest] = hash.split('$');
  expect({ before, id, version, salt, digest, rest }).toEqual({
    before: '',
    id: 'argon2id',
    version: 'v=19',
    salt: expect.stringMatching(/^[A-Za-z0-9+/]{22}$/) as string,
    digest: expect.stringMatching(/^[A-Za-z0-9+/]{43}$/) as string,
    rest: [],
  });
  expect(Object.fromEntries(params.split(',').map((pair) => pair.split('=')))).toEqual({
    m: '19456',
    t: '2',
    p: '1',
  });
}
const PASSWORD = 'correct horse battery staple';

describe('PasswordHasher', () => {
  let hasher: PasswordHasher;

  beforeEach(() => {
    hasher = new PasswordHasher();
    jest.mocked(argon2.hash).mockClear();
    jest.mocked(argon2.verify).mockClear();
    mockArgon2Calls.peak = 0;
  });

  describe('hash', () => {
    it("stores argon2id with OWASP's parameters (19 MiB, 2 iterations, parallelism 1)", async () => {
      const hash = await hasher.hash(PASSWORD);
      expectArgon2idHash(hash);
      expect(hash).not.toContain(PASSWORD);
    });

    it('salts every hash: equal passwords give different hashes that both verify', async () => {
      const [first, second] = await Promise.all([hasher.hash(PASSWORD), hasher.hash(PASSWORD)]);
      expect(first).not.toBe(second);
      expect(first.split('$')[4]).not.toBe(second.split('$')[4]);
      await expect(hasher.verify(first, PASSWORD)).resolves.toBe(true);
      await expect(hasher.verify(second, PASSWORD)).resolves.toBe(true);
    });
  });

  describe('verify', () => {
    let hash: string;

    beforeAll(async () => {
      hash = await new PasswordHasher().hash(PASSWORD);
    });

    it('accepts the right password', async () => {
      await expect(hasher.verify(hash, PASSWORD)).resolves.toBe(true);
    });

    it.each([
      ['a different password', 'wrong horse battery staple'],
      ['another case', PASSWORD.toUpperCase()],
      ['a trailing space', `${PASSWORD} `],
      ['a prefix', PASSWORD.slice(0, -1)],
      ['an empty password', ''],
    ])('refuses %s', async (_label, attempt) => {
      await expect(hasher.verify(hash, attempt)).resolves.toBe(false);
    });

    it.each([
      ['an empty string', ''],
      ['plain text', 'not-a-hash'],
      ['a bcrypt hash', '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'],
      ['a truncated argon2id hash', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0'],
      ['garbage in the parameters', '$argon2id$v=19$m=abc,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA'],
    ])('answers false, without throwing, for a malformed hash: %s', async (_label, malformed) => {
      await expect(hasher.verify(malformed, PASSWORD)).resolves.toBe(false);
    });

    it('answers false for a valid hash whose digest was altered', async () => {
      const digest = hash.split('$')[5];
      const flipped = `${digest[0] === 'A' ? 'B' : 'A'}${digest.slice(1)}`;
      await expect(hasher.verify(hash.replace(digest, flipped), PASSWORD)).resolves.toBe(false);
    });
  });

  describe('Unicode and length (NIST SP 800-63B)', () => {
    it.each([
      ['the "fi" ligature', 'ﬁnancial-secret-2024', 'financial-secret-2024'],
      ['full-width letters and digits', 'ｐａｓｓｗｏｒｄ１２３', 'password123'],
      ['decomposed and composed accents', 'cafe\u0301 au lait', 'caf\u00e9 au lait'],
    ])('matches %s after NFKC normalisation, both ways', async (_label, typed, other) => {
      await expect(hasher.verify(await hasher.hash(typed), other)).resolves.toBe(true);
      await expect(hasher.verify(await hasher.hash(other), typed)).resolves.toBe(true);
    });

    it('round-trips a 128-character password and does not truncate it', async () => {
      const long = 'a1!Z'.repeat(32);
      expect(long).toHaveLength(128);
      const hash = await hasher.hash(long);
      await expect(hasher.verify(hash, long)).resolves.toBe(true);
      await expect(hasher.verify(hash, `${long.slice(0, 127)}b`)).resolves.toBe(false);
      // bcrypt silently cuts at 72 bytes; argon2 must not.
      await expect(hasher.verify(hash, long.slice(0, 72))).resolves.toBe(false);
    });

    it.each([
      ['emoji', '🔐🦄 unicorns guard the vault 🗝️'],
      ['CJK', '密码是一个秘密パスワード비밀번호'],
      ['right-to-left script', 'كلمة المرور السرية'],
    ])('round-trips a password in %s', async (_label, password) => {
      const hash = await hasher.hash(password);
      expectArgon2idHash(hash);
      await expect(hasher.verify(hash, password)).resolves.toBe(true);
      await expect(hasher.verify(hash, password.slice(0, -1))).resolves.toBe(false);
    });
  });

  describe('verifyAgainstDummy', () => {
    it('always resolves false, whatever the password', async () => {
      await expect(hasher.verifyAgainstDummy(PASSWORD)).resolves.toBe(false);
      await expect(hasher.verifyAgainstDummy('')).resolves.toBe(false);
    });

    it('runs a real argon2 verification (timing parity), creating the dummy hash only once', async () => {
      await hasher.verifyAgainstDummy(PASSWORD);
      await hasher.verifyAgainstDummy('another');
      expect(argon2.verify).toHaveBeenCalledTimes(2);
      expect(argon2.hash).toHaveBeenCalledTimes(1);
      const [dummyHash] = jest.mocked(argon2.verify).mock.calls[0];
      expectArgon2idHash(dummyHash);
    });
  });

  describe('concurrency', () => {
    const limit = hashConcurrency(availableParallelism(), threadPoolSize());

    it('runs at most hashConcurrency() hashes at once when 10 start together', async () => {
      const hashes = await Promise.all(Array.from({ length: 10 }, (_, i) => hasher.hash(`password-${i}`)));
      expect(argon2.hash).toHaveBeenCalledTimes(10);
      expect(mockArgon2Calls.peak).toBeLessThanOrEqual(limit);
      expect(mockArgon2Calls.peak).toBe(Math.min(limit, 10));
      expect(new Set(hashes).size).toBe(10);
    });

    it('bounds verifications too, sharing the slots with hashing', async () => {
      const hash = await hasher.hash(PASSWORD);
      mockArgon2Calls.peak = 0;
      const results = await Promise.all([
        ...Array.from({ length: 5 }, () => hasher.verify(hash, PASSWORD)),
        ...Array.from({ length: 5 }, (_, i) => hasher.hash(`password-${i}`)),
      ]);
      expect(results.slice(0, 5)).toEqual([true, true, true, true, true]);
      expect(argon2.verify).toHaveBeenCalledTimes(5);
      expect(mockArgon2Calls.peak).toBeLessThanOrEqual(limit);
      expect(mockArgon2Calls.peak).toBe(Math.min(limit, 10));
    });

    it('frees its slots after failed verifications', async () => {
      const failures = await Promise.all(
        Array.from({ length: limit + 2 }, () => hasher.verify('not-a-hash', PASSWORD)),
      );
      expect(failures.every((result) => result === false)).toBe(true);
      await expect(hasher.verify(await hasher.hash(PASSWORD), PASSWORD)).resolves.toBe(true);
      expect(mockArgon2Calls.running).toBe(0);
    });
  });
});
