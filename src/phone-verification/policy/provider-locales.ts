import type { VerifyProviderName } from '../../config/verify.config';

/** The message languages Twilio Verify v1 (Authy) knows. */
const V1_LOCALES = [
  'af',
  'ar',
  'ca',
  'cs',
  'da',
  'de',
  'el',
  'en',
  'es',
  'fi',
  'fr',
  'he',
  'hi',
  'hr',
  'hu',
  'id',
  'it',
  'ja',
  'ko',
  'ms',
  'nb',
  'nl',
  'pl',
  'pt',
  'pt-BR',
  'ro',
  'ru',
  'sv',
  'th',
  'tl',
  'tr',
  'vi',
  'zh',
  'zh-CN',
  'zh-HK',
];

/** Verify v2 knows these and British English and Estonian. */
const V2_LOCALES = [...V1_LOCALES, 'en-GB', 'et'];

const LOCALES: Record<VerifyProviderName, ReadonlySet<string>> = {
  'twilio-v1': lowerCased(V1_LOCALES),
  'twilio-v2': lowerCased(V2_LOCALES),
  // The log provider stands in for Verify v2 in development: a locale it accepts works in production too.
  log: lowerCased(V2_LOCALES),
};

/** Whether the provider can write its message in `locale` (case aside: `pt-br` is `pt-BR`). */
export function providerSupportsLocale(provider: VerifyProviderName, locale: string): boolean {
  return LOCALES[provider].has(locale.toLowerCase());
}

/** The provider's locales, for an error message. */
export function providerLocales(provider: VerifyProviderName): string[] {
  return provider === 'twilio-v1' ? V1_LOCALES : V2_LOCALES;
}

function lowerCased(locales: readonly string[]): ReadonlySet<string> {
  return new Set(locales.map((locale) => locale.toLowerCase()));
}
