import { Logger } from '@nestjs/common';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { authConfig } from './auth.config';

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();

/** Reads the auth namespace from exactly these variables. */
function readWith(env: Record<string, string>): ReturnType<typeof authConfig> {
  const saved = process.env;
  process.env = { ...env };
  try {
    return authConfig();
  } finally {
    process.env = saved;
  }
}

describe('authConfig signing keys', () => {
  let warnings: unknown[];

  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(message);
    });
  });

  afterEach(() => jest.restoreAllMocks());

  it('signs ES256 with JWT_PRIVATE_KEY by default, without a warning', () => {
    const { signing } = readWith({ NODE_ENV: 'production', JWT_PRIVATE_KEY: pem });

    expect(signing.algorithm).toBe('ES256');
    expect(signing.algorithm !== 'HS256' && signing.privateKey.asymmetricKeyType).toBe('ec');
    expect(warnings).toEqual([]);
  });

  it.each(['development', 'test'])(
    'makes a key pair per process with a warning outside production (NODE_ENV=%s)',
    (nodeEnv) => {
      const first = readWith({ NODE_ENV: nodeEnv }).signing;
      const second = readWith({ NODE_ENV: nodeEnv, JWT_ALGORITHM: 'EdDSA' }).signing;

      expect(first.algorithm !== 'HS256' && first.privateKey.asymmetricKeyDetails?.namedCurve).toBe(
        'prime256v1',
      );
      expect(second.algorithm !== 'HS256' && second.privateKey.asymmetricKeyType).toBe('ed25519');
      expect(warnings).toEqual([expect.stringMatching(/JWT_PRIVATE_KEY is not set/), expect.any(String)]);
    },
  );

  it('refuses to start in production without a key', () => {
    expect(() => readWith({ NODE_ENV: 'production' })).toThrow(/JWT_PRIVATE_KEY must be set in production/);
  });

  it('reads the retired public keys, for rotation', () => {
    const retired = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const retiredPem = retired.export({ format: 'pem', type: 'spki' }).toString();
    const { signing } = readWith({ JWT_PRIVATE_KEY: pem, JWT_RETIRED_PUBLIC_KEYS: retiredPem });

    expect(
      signing.algorithm !== 'HS256' &&
        signing.retiredPublicKeys.map((key) => key.export({ format: 'pem', type: 'spki' })),
    ).toEqual([createPublicKey(retiredPem).export({ format: 'pem', type: 'spki' })]);
  });

  it('defaults PUBLIC_URL to localhost on PORT, without a trailing slash', () => {
    expect(readWith({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(readWith({ PUBLIC_URL: 'https://id.example.com/' }).publicUrl).toBe('https://id.example.com');
  });
});
