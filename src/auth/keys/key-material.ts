import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';

export const JWT_ALGORITHMS = ['ES256', 'EdDSA', 'HS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
export type AsymmetricAlgorithm = Exclude<JwtAlgorithm, 'HS256'>;

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

/** Why a PEM value was refused; the caller names the variable. */
export class KeyMaterialError extends Error {}

/** A `.env` file or a CI secret often holds a PEM on one line with `\n` escapes. */
export function unescapePem(value: string): string {
  return value.replace(/\\n/g, '\n').trim();
}

/** The PEM blocks of a value, in order, with their labels (`PRIVATE KEY`, `PUBLIC KEY`, ...). */
export function pemBlocks(value: string): Array<{ label: string; pem: string }> {
  return [...unescapePem(value).matchAll(PEM_BLOCK)].map((match) => ({ label: match[1], pem: match[0] }));
}

/** The key type each algorithm signs with: ES256 is ECDSA on P-256, EdDSA is Ed25519 here. */
export function keyFitsAlgorithm(key: KeyObject, algorithm: AsymmetricAlgorithm): boolean {
  if (algorithm === 'EdDSA') return key.asymmetricKeyType === 'ed25519';
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

function describe(algorithm: AsymmetricAlgorithm): string {
  return algorithm === 'EdDSA' ? 'an Ed25519 key' : 'a P-256 (prime256v1) EC key';
}

/** Parses the signing key: exactly one unencrypted PKCS#8 PEM block of the algorithm's key type. */
export function parsePrivateKey(value: string, algorithm: AsymmetricAlgorithm): KeyObject {
  const blocks = pemBlocks(value);
  if (blocks.length !== 1 || blocks[0].label !== 'PRIVATE KEY') {
    throw new KeyMaterialError(
      'must be one unencrypted PKCS#8 PEM block (-----BEGIN PRIVATE KEY-----); convert with `openssl pkcs8 -topk8 -nocrypt`',
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: blocks[0].pem, format: 'pem' });
  } catch {
    throw new KeyMaterialError('is not a readable PKCS#8 private key');
  }
  if (!keyFitsAlgorithm(key, algorithm)) {
    throw new KeyMaterialError(`must be ${describe(algorithm)} for JWT_ALGORITHM=${algorithm}`);
  }
  return key;
}

/** Parses public keys given one after another (SPKI PEM blocks); an empty value is no key. */
export function parsePublicKeys(value: string | undefined, algorithm: AsymmetricAlgorithm): KeyObject[] {
  if (!value || value.trim() === '') return [];
  const blocks = pemBlocks(value);
  if (blocks.length === 0 || blocks.some((block) => block.label !== 'PUBLIC KEY')) {
    throw new KeyMaterialError('must hold PEM public keys (-----BEGIN PUBLIC KEY-----), one after another');
  }
  return blocks.map(({ pem }) => {
    let key: KeyObject;
    try {
      key = createPublicKey({ key: pem, format: 'pem' });
    } catch {
      throw new KeyMaterialError('holds a PEM block that is not a readable public key');
    }
    if (!keyFitsAlgorithm(key, algorithm)) {
      throw new KeyMaterialError(`must hold ${describe(algorithm)}s for JWT_ALGORITHM=${algorithm}`);
    }
    return key;
  });
}

/** A fresh key pair of the algorithm's type, for a process that was given none (development only). */
export function generatePrivateKey(algorithm: AsymmetricAlgorithm): KeyObject {
  return algorithm === 'EdDSA'
    ? generateKeyPairSync('ed25519').privateKey
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}
