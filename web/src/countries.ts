/** One row of the generated `countries-data.js`: region, dialing code, example mobile number, main. */
export type CountryRow = readonly [region: string, callingCode: string, example: string, main: boolean];

export interface Country {
  /** ISO 3166 alpha-2, e.g. `GB`. */
  region: string;
  /** Dialing code without `+`, e.g. `44`. */
  callingCode: string;
  /** The country's name in the reader's language, e.g. `United Kingdom`. */
  name: string;
  /** A mobile number as people of that country write it, e.g. `07400 123456`. */
  example: string;
  /** Whether a shared dialing code belongs to this country first (US for +1). */
  main: boolean;
}

/**
 * The countries the picker offers: every one of `rows`, or only those of the allow-list when it holds any,
 * named in `locale` and sorted by name.
 */
export function pickerCountries(
  rows: readonly CountryRow[],
  allowed: readonly string[],
  locale: string,
): Country[] {
  const names = new Intl.DisplayNames([locale, 'en'], { type: 'region', fallback: 'code' });
  const allowedSet = new Set(allowed.map((region) => region.toUpperCase()));
  return rows
    .filter(([region]) => allowedSet.size === 0 || allowedSet.has(region))
    .map(([region, callingCode, example, main]) => ({
      region,
      callingCode,
      example,
      main,
      name: names.of(region) ?? region,
    }))
    .sort((a, b) => a.name.localeCompare(b.name, locale));
}

/**
 * The country to select first: the one of the stored number (its dialing code's main country), else the
 * reader's own (from the browser's language, e.g. `en-GB`), else the first offered.
 */
export function defaultCountry(
  countries: readonly Country[],
  storedCallingCode: string | null,
  languages: readonly string[],
): Country | undefined {
  if (storedCallingCode) {
    const sharing = countries.filter((country) => country.callingCode === storedCallingCode);
    const stored = sharing.find((country) => country.main) ?? sharing[0];
    if (stored) return stored;
  }
  for (const language of languages) {
    const region = language.split('-')[1]?.toUpperCase();
    const own = countries.find((country) => country.region === region);
    if (own) return own;
  }
  return countries[0];
}

/** `+447123456789` with its dialing code set apart: `+44 7123456789`. */
export function displayNumber(
  callingCode: string | null,
  nationalNumber: string | null,
  e164: string,
): string {
  return callingCode && nationalNumber ? `+${callingCode} ${nationalNumber}` : e164;
}
