import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { KeyMaterialError, parsePrivateKey, parsePublicKeys, pemBlocks, unescapePem } from './key-material';

const pkcs8 = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();
const spki = (key: KeyObject) =>
  (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'pem', type: 'spki' }).toString();

const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
const ed25519 = generateKeyPairSync('ed25519').privateKey;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyMaterialError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('parsePrivateKey', () => {
  it.each<[string, KeyObject, 'ES256' | 'EdDSA']>([
    ['a P-256 key for ES256', p256, 'ES256'],
    ['an Ed25519 key for EdDSA', ed25519, 'EdDSA'],
  ])('reads %s', (_label, key, algorithm) => {
    const parsed = parsePrivateKey(pkcs8(key), algorithm);
    expect(parsed.type).toBe('private');
    expect(spki(parsed)).toBe(spki(key));
  });

  it('reads a PEM written on one line with \\n escapes, as in a .env file', () => {
    const escaped = pkcs8(p256).trim().replace(/\n/g, '\\n');
    expect(spki(parsePrivateKey(escaped, 'ES256'))).toBe(spki(p256));
  });

  it.each<[string, () => string, 'ES256' | 'EdDSA', RegExp]>([
    ['an Ed25519 key for ES256', () => pkcs8(ed25519), 'ES256', /P-256/],
    ['a P-384 key for ES256', () => pkcs8(p384), 'ES256', /P-256/],
    ['an RSA key for ES256', () => pkcs8(rsa), 'ES256', /P-256/],
    ['a P-256 key for EdDSA', () => pkcs8(p256), 'EdDSA', /Ed25519/],
    ['a public key', () => spki(p256), 'ES256', /PKCS#8/],
    [
      'a SEC1 "EC PRIVATE KEY"',
      () => p256.export({ format: 'pem', type: 'sec1' }).toString(),
      'ES256',
      /PKCS#8/,
    ],
    [
      'an encrypted key',
      () =>
        p256.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString(),
      'ES256',
      /unencrypted PKCS#8/,
    ],
    ['two keys', () => pkcs8(p256) + pkcs8(p256), 'ES256', /one/],
    [
      'garbage in the PEM armour',
      () => '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      'ES256',
      /readable/,
    ],
    ['text that is no PEM', () => 'not a key', 'ES256', /PKCS#8/],
  ])('refuses %s', (_label, value, algorithm, message) => {
    expect(refusal(() => parsePrivateKey(value(), algorithm))).toMatch(message);
  });

  it('never repeats the key in its message', () => {
    const value = pkcs8(ed25519);
    expect(refusal(() => parsePrivateKey(value, 'ES256'))).not.toContain(value.split('\n')[1]);
  });
});

describe('parsePublicKeys', () => {
  const second = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

  it('reads nothing from an empty value', () => {
    expect(parsePublicKeys(undefined, 'ES256')).toEqual([]);
    expect(parsePublicKeys('  ', 'ES256')).toEqual([]);
  });

  it('reads PEM public keys one after another, in order', () => {
    const keys = parsePublicKeys(`${spki(p256)}\n${spki(second)}`, 'ES256');
    expect(keys.map((key) => spki(key))).toEqual([spki(p256), spki(second)]);
  });

  it.each<[string, () => string, 'ES256' | 'EdDSA']>([
    ['a private key', () => pkcs8(p256), 'ES256'],
    ['a key of another type', () => spki(ed25519), 'ES256'],
    ['an EC key for EdDSA', () => spki(p256), 'EdDSA'],
    ['text that is no PEM', () => 'retired', 'ES256'],
  ])('refuses %s', (_label, value, algorithm) => {
    refusal(() => parsePublicKeys(value(), algorithm));
  });
});

describe('pemBlocks', () => {
  it('finds every block with its label, ignoring text around them', () => {
    const value = `comment\n${spki(p256)}between\n${pkcs8(ed25519)}`;
    expect(pemBlocks(value).map((block) => block.label)).toEqual(['PUBLIC KEY', 'PRIVATE KEY']);
  });

  it('turns \\n escapes into line breaks', () => {
    expect(unescapePem('a\\nb')).toBe('a\nb');
  });
});
