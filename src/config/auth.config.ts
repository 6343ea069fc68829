import { Logger } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { createSecretKey, randomBytes } from 'node:crypto';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { ConfigurationError, isProduction, readEnv } from './validate-config';

/** The placeholder shipped in `.env.example`; refused in production. */
export const EXAMPLE_JWT_SECRET = 'change-me-to-a-random-string-of-at-least-32-characters';

class AuthEnv {
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;
  @IsOptional() @IsInt() @Min(30) @Max(86_400) JWT_EXPIRES_IN?: number;
  @IsOptional() @IsString() JWT_ISSUER?: string;
  @IsOptional() @IsString() JWT_AUDIENCE?: string;
  @IsOptional() @IsInt() @Min(1) @Max(100) LOGIN_MAX_FAILURES?: number;
  @IsOptional() @IsInt() @Min(1) @Max(86_400) LOGIN_FAILURE_WINDOW_SECONDS?: number;
}

export const authConfig = registerAs('auth', () => {
  const env = readEnv(AuthEnv);
  if (isProduction() && (!env.JWT_SECRET || env.JWT_SECRET === EXAMPLE_JWT_SECRET)) {
    throw new ConfigurationError(
      'JWT_SECRET must be set to a random value of at least 32 characters in production',
    );
  }
  if (!env.JWT_SECRET) {
    new Logger('Config').warn('JWT_SECRET is not set: using a random key, tokens will not survive a restart');
  }
  const loginMaxFailures = env.LOGIN_MAX_FAILURES ?? 10;
  const jwtSecret = env.JWT_SECRET ?? randomBytes(32).toString('base64url');
  return {
    // A KeyObject spares jsonwebtoken from trying to parse the secret as a PEM key on every sign and verify.
    jwtKey: createSecretKey(Buffer.from(jwtSecret, 'utf8')),
    expiresInSeconds: env.JWT_EXPIRES_IN ?? 900,
    issuer: env.JWT_ISSUER ?? 'identity-service',
    audience: env.JWT_AUDIENCE ?? 'identity-service',
    loginMaxFailuresPerEmail: loginMaxFailures,
    // A client address may front many people (NAT, offices), so it gets more room than one account.
    loginMaxFailuresPerAddress: loginMaxFailures * 5,
    loginFailureWindowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS ?? 900,
  };
});

export type AuthConfig = ReturnType<typeof authConfig>;
