import { registerAs } from '@nestjs/config';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { ConfigurationError, isProduction, readEnv, splitList } from './validate-config';

export const VERIFY_PROVIDERS = ['log', 'twilio-v1', 'twilio-v2'] as const;
export type VerifyProviderName = (typeof VERIFY_PROVIDERS)[number];

class VerifyEnv {
  @IsOptional() @IsIn(VERIFY_PROVIDERS) VERIFY_PROVIDER?: VerifyProviderName;
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) TWILIO_VERIFY_BASE_URL?: string;
  @IsOptional() @IsString() TWILIO_VERIFY_API_KEY?: string;
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  TWILIO_VERIFY_V2_BASE_URL?: string;
  @IsOptional() @IsString() TWILIO_ACCOUNT_SID?: string;
  @IsOptional() @IsString() TWILIO_AUTH_TOKEN?: string;
  @IsOptional()
  @Matches(/^VA[0-9a-fA-F]{32}$/, {
    message: 'TWILIO_VERIFY_SERVICE_SID must be VA followed by 32 hex digits',
  })
  TWILIO_VERIFY_SERVICE_SID?: string;
  @IsOptional() @IsInt() @Min(100) @Max(60000) VERIFY_TIMEOUT_MS?: number;
  @IsOptional() @IsInt() @Min(4) @Max(10) VERIFY_CODE_LENGTH?: number;
  @IsOptional() @IsInt() @Min(30) @Max(600) VERIFY_CODE_TTL_SECONDS?: number;
  @IsOptional() @IsInt() @Min(0) @Max(3600) VERIFY_RESEND_COOLDOWN_SECONDS?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1000) VERIFY_MAX_SENDS_PER_HOUR?: number;
  @IsOptional() @IsInt() @Min(1) @Max(100) VERIFY_MAX_CHECK_ATTEMPTS?: number;
  @IsOptional() @IsInt() @Min(1) @Max(10000) VERIFY_MAX_FAILED_CHECKS_PER_DAY?: number;
  @IsOptional() @IsInt() @Min(0) @Max(100000) VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR?: number;
  @IsOptional() @IsInt() @Min(0) @Max(100000) VERIFY_MAX_SENDS_PER_ADDRESS_PER_HOUR?: number;
  @IsOptional() @IsInt() @Min(0) @Max(100000000) VERIFY_SEND_BUDGET_PER_HOUR?: number;
  @IsOptional()
  @Matches(/^\s*\+\d{6,15}\s*=\s*\d{4,10}\s*(,\s*\+\d{6,15}\s*=\s*\d{4,10}\s*)*$/, {
    message: 'VERIFY_TEST_NUMBERS must be +E164=code pairs, comma-separated, e.g. +447700900123=123456',
  })
  VERIFY_TEST_NUMBERS?: string;
  @IsOptional()
  @Matches(/^\s*[A-Za-z]{2}\s*(,\s*[A-Za-z]{2}\s*)*$/, {
    message: 'VERIFY_ALLOWED_COUNTRIES must be comma-separated ISO 3166 alpha-2 codes, e.g. GB,US',
  })
  VERIFY_ALLOWED_COUNTRIES?: string;
  @IsOptional() @IsIn(['true', 'false']) VERIFY_ALLOW_VOIP?: 'true' | 'false';
}

export const verifyConfig = registerAs('verify', () => {
  const env = readEnv(VerifyEnv);
  const production = isProduction();
  const provider = env.VERIFY_PROVIDER ?? (production ? undefined : 'log');
  if (!provider) {
    throw new ConfigurationError('VERIFY_PROVIDER must be set to twilio-v1 or twilio-v2 in production');
  }
  if (provider === 'log' && production) {
    throw new ConfigurationError('VERIFY_PROVIDER=log writes codes to the log and is refused in production');
  }
  if (provider === 'twilio-v1' && !env.TWILIO_VERIFY_API_KEY) {
    throw new ConfigurationError('TWILIO_VERIFY_API_KEY is required with VERIFY_PROVIDER=twilio-v1');
  }
  if (provider === 'twilio-v2') {
    const missing = (
      ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_VERIFY_SERVICE_SID'] as const
    ).filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new ConfigurationError(`${missing.join(', ')} required with VERIFY_PROVIDER=twilio-v2`);
    }
  }
  const allowedCountries = splitList(env.VERIFY_ALLOWED_COUNTRIES).map((code) => code.toUpperCase());
  const unknown = allowedCountries.filter((code) => !isSupportedCountry(code));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `VERIFY_ALLOWED_COUNTRIES holds unknown ISO 3166 codes: ${unknown.join(', ')}`,
    );
  }
  const testNumbers = parseTestNumbers(env.VERIFY_TEST_NUMBERS);
  if (production && testNumbers.size > 0) {
    throw new ConfigurationError(
      'VERIFY_TEST_NUMBERS confirm without a real code and are refused in production',
    );
  }
  return {
    provider,
    v1: {
      baseUrl: withTrailingSlash(env.TWILIO_VERIFY_BASE_URL ?? 'https://api.authy.com/'),
      apiKey: env.TWILIO_VERIFY_API_KEY ?? '',
    },
    v2: {
      baseUrl: withTrailingSlash(env.TWILIO_VERIFY_V2_BASE_URL ?? 'https://verify.twilio.com/v2/'),
      accountSid: env.TWILIO_ACCOUNT_SID ?? '',
      authToken: env.TWILIO_AUTH_TOKEN ?? '',
      serviceSid: env.TWILIO_VERIFY_SERVICE_SID ?? '',
    },
    timeoutMs: env.VERIFY_TIMEOUT_MS ?? 5000,
    codeLength: env.VERIFY_CODE_LENGTH ?? 6,
    codeTtlSeconds: env.VERIFY_CODE_TTL_SECONDS ?? 600,
    resendCooldownSeconds: env.VERIFY_RESEND_COOLDOWN_SECONDS ?? 30,
    maxSendsPerHour: env.VERIFY_MAX_SENDS_PER_HOUR ?? 5,
    maxCheckAttempts: env.VERIFY_MAX_CHECK_ATTEMPTS ?? 5,
    maxFailedChecksPerDay: env.VERIFY_MAX_FAILED_CHECKS_PER_DAY ?? 15,
    maxSendsPerNumberPerHour: env.VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR ?? 3,
    maxSendsPerAddressPerHour: env.VERIFY_MAX_SENDS_PER_ADDRESS_PER_HOUR ?? 10,
    sendBudgetPerHour: env.VERIFY_SEND_BUDGET_PER_HOUR ?? 1000,
    /** E.164 number to the code that confirms it, without a provider call. */
    testNumbers,
    allowedCountries,
    allowVoip: env.VERIFY_ALLOW_VOIP === 'true',
  };
});

export type VerifyConfig = ReturnType<typeof verifyConfig>;

function parseTestNumbers(value: string | undefined): ReadonlyMap<string, string> {
  return new Map(
    splitList(value).map((pair) => {
      const [number, code] = pair.split('=').map((part) => part.trim());
      return [number, code] as const;
    }),
  );
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
