import { createHash, createPublicKey, createSecretKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, errors, SignJWT } from 'jose';
import { publicJwk, SigningKeys } from './signing-keys';

const es256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const publicOf = (key: KeyObject) => createPublicKey(key);
const OPTIONS = { issuer: 'iss', audience: 'aud', requiredClaims: ['exp'] };
const claims = () => ({ sub: 'x', iss: 'iss', aud: 'aud', exp: Math.floor(Date.now() / 1000) + 60 });

/** RFC 7638 3: SHA-256 of the required members, in lexicographic order, without whitespace. */
function thumbprintByHand(members: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.fromEntries(Object.entries(members).sort(([a], [b]) => a.localeCompare(b))),
  );
  return createHash('sha256').update(canonical).digest('base64url');
}

describe('publicJwk', () => {
  it('publishes only the public members of a P-256 key, with its RFC 7638 thumbprint as kid', async () => {
    const key = es256();
    const jwk = await publicJwk(key, 'ES256');

    expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk.kid).toBe(thumbprintByHand({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y! }));
    expect(jwk).not.toHaveProperty('d');
  });

  it('publishes an Ed25519 key as OKP, with its thumbprint', async () => {
    const key = generateKeyPairSync('ed25519').privateKey;
    const jwk = await publicJwk(key, 'EdDSA');

    expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwk.kid).toBe(thumbprintByHand({ crv: 'Ed25519', kty: 'OKP', x: jwk.x }));
  });

  it('gives the private key and its public half the same kid, and other keys another', async () => {
    const key = es256();
    const fromPrivate = await publicJwk(key, 'ES256');
    expect((await publicJwk(publicOf(key), 'ES256')).kid).toBe(fromPrivate.kid);
    expect((await publicJwk(es256(), 'ES256')).kid).not.toBe(fromPrivate.kid);
  });

  it('agrees with the thumbprint of RFC 7638 3.1 computed by the same library', async () => {
    // The RFC's own example (an RSA key) pins the canonical form and the hash.
    const rfcExample = {
      kty: 'RSA',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMst' +
        'n64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajr' +
        'n1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
    };
    await expect(calculateJwkThumbprint(rfcExample, 'sha256')).resolves.toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
    expect(thumbprintByHand({ e: rfcExample.e, kty: rfcExample.kty, n: rfcExample.n })).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });
});

describe('SigningKeys', () => {
  it('signs with the current key under its kid, and verifies what it signed', async () => {
    const keys = await SigningKeys.load({ algorithm: 'ES256', privateKey: es256(), retiredPublicKeys: [] });
    const token = await keys.sign(claims());

    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: keys.kid });
    await expect(keys.verify(token, OPTIONS)).resolves.toMatchObject({ sub: 'x' });
  });

  it('publishes the current key first, then the retired ones, each once', async () => {
    const current = es256();
    const retired = es256();
    const keys = await SigningKeys.load({
      algorithm: 'ES256',
      privateKey: current,
      retiredPublicKeys: [publicOf(retired), publicOf(retired), publicOf(current)],
    });

    expect(keys.jwks.keys.map((jwk) => jwk.kid)).toEqual([
      (await publicJwk(current, 'ES256')).kid,
      (await publicJwk(retired, 'ES256')).kid,
    ]);
    expect(JSON.stringify(keys.jwks)).not.toMatch(/"d"|"p"|"q"/);
  });

  describe('rotation', () => {
    const oldKey = es256();
    const newKey = es256();
    let before: SigningKeys;
    let oldToken: string;

    beforeAll(async () => {
      before = await SigningKeys.load({ algorithm: 'ES256', privateKey: oldKey, retiredPublicKeys: [] });
      oldToken = await before.sign(claims());
    });

    it('step 2: a new signing key with the old one retired accepts tokens of both', async () => {
      const during = await SigningKeys.load({
        algorithm: 'ES256',
        privateKey: newKey,
        retiredPublicKeys: [publicOf(oldKey)],
      });
      const newToken = await during.sign(claims());

      expect(decodeProtectedHeader(newToken).kid).not.toBe(before.kid);
      await expect(during.verify(oldToken, OPTIONS)).resolves.toMatchObject({ sub: 'x' });
      await expect(during.verify(newToken, OPTIONS)).resolves.toMatchObject({ sub: 'x' });
      // Services that cached the old JWKS still verify the old tokens; the new one names a key they will fetch.
      await expect(before.verify(newToken, OPTIONS)).rejects.toThrow();
    });

    it('step 3: once the old key is dropped, its tokens are refused', async () => {
      const after = await SigningKeys.load({ algorithm: 'ES256', privateKey: newKey, retiredPublicKeys: [] });
      await expect(after.verify(oldToken, OPTIONS)).rejects.toThrow(/no key of this service/);
    });
  });

  it('accepts only its own algorithm: an EdDSA set refuses an ES256 token under a known kid', async () => {
    const ed = generateKeyPairSync('ed25519').privateKey;
    const keys = await SigningKeys.load({ algorithm: 'EdDSA', privateKey: ed, retiredPublicKeys: [] });
    const es = es256();
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: keys.kid }).sign(es);

    await expect(keys.verify(token, OPTIONS)).rejects.toBeInstanceOf(errors.JOSEAlgNotAllowed);
    await expect(keys.verify(await keys.sign(claims()), OPTIONS)).resolves.toMatchObject({ sub: 'x' });
  });

  it('with HS256 publishes nothing and signs without a kid', async () => {
    const keys = await SigningKeys.load({
      algorithm: 'HS256',
      secret: createSecretKey(Buffer.from('a-secret-of-at-least-thirty-two-characters')),
    });
    const token = await keys.sign(claims());

    expect(keys.jwks).toEqual({ keys: [] });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    await expect(keys.verify(token, OPTIONS)).resolves.toMatchObject({ sub: 'x' });
  });
});
