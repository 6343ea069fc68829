import { Logger } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import {
  AsymmetricAlgorithm,
  generatePrivateKey,
  JWT_ALGORITHMS,
  JwtAlgorithm,
  KeyMaterialError,
  parsePrivateKey,
  parsePublicKeys,
} from '../auth/keys/key-material';
import { weakSecretReason } from '../auth/keys/secret-strength';
import { ConfigurationError, isProduction, readEnv } from './validate-config';

/** The placeholder shipped in `.env.example`; refused in production. */
export const EXAMPLE_JWT_SECRET = 'change-me-to-a-random-string-of-at-least-32-characters';

class AuthEnv {
  @IsOptional()
  @IsIn(JWT_ALGORITHMS, { message: 'JWT_ALGORITHM must be ES256, EdDSA or HS256' })
  JWT_ALGORITHM?: JwtAlgorithm;
  @IsOptional() @IsString() JWT_PRIVATE_KEY?: string;
  @IsOptional() @IsString() JWT_RETIRED_PUBLIC_KEYS?: string;
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;
  @IsOptional() @IsInt() @Min(30) @Max(86_400) JWT_EXPIRES_IN?: number;
  @IsOptional() @IsString() JWT_ISSUER?: string;
  @IsOptional() @IsString() JWT_AUDIENCE?: string;
  @IsOptional() @IsInt() @Min(60) @Max(31_536_000) REFRESH_TOKEN_TTL_SECONDS?: number;
  @IsOptional() @IsInt() @Min(0) @Max(60) REFRESH_TOKEN_REUSE_INTERVAL_SECONDS?: number;
  @IsOptional() @IsInt() @Min(1) @Max(86_400) REAUTH_MAX_AGE_SECONDS?: number;
  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'PUBLIC_URL must be an http(s) URL such as https://id.example.com' },
  )
  PUBLIC_URL?: string;
  @IsOptional() @IsInt() @Min(0) @Max(65535) PORT?: number;
  @IsOptional() @IsInt() @Min(1) @Max(100) LOGIN_MAX_FAILURES?: number;
  @IsOptional() @IsInt() @Min(1) @Max(86_400) LOGIN_FAILURE_WINDOW_SECONDS?: number;
}

/** How tokens are signed and checked: one algorithm, its signing key, and the public keys still accepted. */
export type SigningConfig =
  | { algorithm: 'HS256'; secret: KeyObject }
  | { algorithm: AsymmetricAlgorithm; privateKey: KeyObject; retiredPublicKeys: KeyObject[] };

export const authConfig = registerAs('auth', () => {
  const env = readEnv(AuthEnv);
  const loginMaxFailures = env.LOGIN_MAX_FAILURES ?? 10;
  return {
    signing: readSigningConfig(env),
    expiresInSeconds: env.JWT_EXPIRES_IN ?? 900,
    issuer: env.JWT_ISSUER ?? 'identity-service',
    audience: env.JWT_AUDIENCE ?? 'identity-service',
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS ?? 2_592_000,
    refreshTokenReuseIntervalSeconds: env.REFRESH_TOKEN_REUSE_INTERVAL_SECONDS ?? 10,
    reauthMaxAgeSeconds: env.REAUTH_MAX_AGE_SECONDS ?? 300,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT ?? 3000}`).replace(/\/+$/, ''),
    loginMaxFailuresPerEmail: loginMaxFailures,
    // A client address may front many people (NAT, offices), so it gets more room than one account.
    loginMaxFailuresPerAddress: loginMaxFailures * 5,
    loginFailureWindowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS ?? 900,
  };
});

export type AuthConfig = ReturnType<typeof authConfig>;

function readSigningConfig(env: AuthEnv): SigningConfig {
  const algorithm = env.JWT_ALGORITHM ?? 'ES256';
  if (algorithm === 'HS256') {
    if (env.JWT_RETIRED_PUBLIC_KEYS) {
      throw new ConfigurationError('JWT_RETIRED_PUBLIC_KEYS only applies to JWT_ALGORITHM=ES256 or EdDSA');
    }
    return { algorithm, secret: readSecret(env.JWT_SECRET) };
  }
  const privateKey = env.JWT_PRIVATE_KEY
    ? keyVariable('JWT_PRIVATE_KEY', () => parsePrivateKey(env.JWT_PRIVATE_KEY!, algorithm))
    : generatedKey(algorithm);
  const retiredPublicKeys = keyVariable('JWT_RETIRED_PUBLIC_KEYS', () =>
    parsePublicKeys(env.JWT_RETIRED_PUBLIC_KEYS, algorithm),
  );
  return { algorithm, privateKey, retiredPublicKeys };
}

function keyVariable<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof KeyMaterialError) throw new ConfigurationError(`${name} ${error.message}`);
    throw error;
  }
}

function generatedKey(algorithm: AsymmetricAlgorithm): KeyObject {
  if (isProduction()) {
    throw new ConfigurationError(
      `JWT_PRIVATE_KEY must be set in production (a PKCS#8 PEM key for JWT_ALGORITHM=${algorithm})`,
    );
  }
  new Logger('Config').warn(
    'JWT_PRIVATE_KEY is not set: using a key pair made for this process; tokens will not survive a restart',
  );
  return generatePrivateKey(algorithm);
}

function readSecret(secret: string | undefined): KeyObject {
  if (isProduction()) {
    if (!secret || secret === EXAMPLE_JWT_SECRET) {
      throw new ConfigurationError(
        'JWT_SECRET must be set to a random value of at least 32 characters in production',
      );
    }
    const weakness = weakSecretReason(secret);
    if (weakness) {
      throw new ConfigurationError(
        `JWT_SECRET ${weakness}: use a random value, e.g. \`openssl rand -base64 48\``,
      );
    }
  }
  if (!secret) {
    new Logger('Config').warn('JWT_SECRET is not set: using a random key, tokens will not survive a restart');
  }
  // A KeyObject keeps the secret out of plain strings passed around the app.
  return createSecretKey(Buffer.from(secret ?? randomBytes(32).toString('base64url'), 'utf8'));
}
