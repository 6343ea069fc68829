import { createPublicKey, KeyObject } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  JWK,
  JWTHeaderParameters,
  JWTPayload,
  jwtVerify,
  JWTVerifyOptions,
  SignJWT,
} from 'jose';
import type { SigningConfig } from '../../config/auth.config';
import { JwtAlgorithm } from './key-material';

/** A public key as published in the JWKS: only the public members, with `kid`, `alg` and `use`. */
export interface PublishedJwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: JwtAlgorithm;
  use: 'sig';
}

// Header members that carry or point to key material: a token must never choose its own key (RFC 8725 3.10).
const KEY_BEARING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

/** Thrown when a token names no key, a key we do not hold, or brings key material of its own. */
export class UnknownSigningKeyError extends Error {}

/**
 * The keys of this service: the one that signs, and every public key that verifies (the signing key's public
 * half and the retired ones). Exactly one algorithm is accepted, the configured one.
 */
export class SigningKeys {
  private constructor(
    readonly algorithm: JwtAlgorithm,
    private readonly signingKey: KeyObject,
    /** The signing key's `kid`; undefined with HS256, whose tokens name no key. */
    readonly kid: string | undefined,
    private readonly verificationKeys: ReadonlyMap<string, KeyObject>,
    readonly published: readonly PublishedJwk[],
  ) {}

  static async load(config: SigningConfig): Promise<SigningKeys> {
    if (config.algorithm === 'HS256') {
      return new SigningKeys('HS256', config.secret, undefined, new Map(), []);
    }
    const current = createPublicKey(config.privateKey);
    const published: PublishedJwk[] = [];
    const verificationKeys = new Map<string, KeyObject>();
    for (const key of [current, ...config.retiredPublicKeys]) {
      const jwk = await publicJwk(key, config.algorithm);
      if (verificationKeys.has(jwk.kid)) continue;
      verificationKeys.set(jwk.kid, key);
      published.push(jwk);
    }
    return new SigningKeys(
      config.algorithm,
      config.privateKey,
      published[0].kid,
      verificationKeys,
      published,
    );
  }

  /** The JWKS document: `{ keys: [] }` with HS256, whose secret is never published. */
  get jwks(): { keys: PublishedJwk[] } {
    return { keys: [...this.published] };
  }

  sign(payload: JWTPayload): Promise<string> {
    const header: JWTHeaderParameters = { alg: this.algorithm, typ: 'JWT' };
    if (this.kid) header.kid = this.kid;
    return new SignJWT(payload).setProtectedHeader(header).sign(this.signingKey);
  }

  /** Verifies signature, algorithm and the registered claims of `options`; throws jose's errors otherwise. */
  async verify(token: string, options: Omit<JWTVerifyOptions, 'algorithms'>): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, (header) => this.keyFor(header), {
      ...options,
      algorithms: [this.algorithm],
    });
    return payload;
  }

  private keyFor(header: JWTHeaderParameters): KeyObject {
    if (KEY_BEARING_HEADERS.some((name) => name in header)) {
      throw new UnknownSigningKeyError('the token carries key material in its header');
    }
    if (this.algorithm === 'HS256') return this.signingKey;
    const key = typeof header.kid === 'string' ? this.verificationKeys.get(header.kid) : undefined;
    if (!key) throw new UnknownSigningKeyError('the token names no key of this service');
    return key;
  }
}

/** The public JWK of a key, with its RFC 7638 thumbprint as `kid`. */
export async function publicJwk(
  key: KeyObject,
  algorithm: Exclude<JwtAlgorithm, 'HS256'>,
): Promise<PublishedJwk> {
  const exported: JWK = await exportJWK(key.type === 'private' ? createPublicKey(key) : key);
  // Only the public members, whatever the export holds.
  const { kty, crv, x, y } = exported;
  if (!kty || !crv || !x) throw new Error('not an EC or OKP public key');
  const members = { kty, crv, x, ...(y ? { y } : {}) };
  return { ...members, kid: await calculateJwkThumbprint(members, 'sha256'), alg: algorithm, use: 'sig' };
}
