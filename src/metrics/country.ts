import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { BoundedCache } from '../common/bounded-cache';

/** Numbers whose country the numbering plan cannot tell (the CLDR code for an unknown region). */
export const UNKNOWN_COUNTRY = 'ZZ';

/** The ISO 3166 alpha-2 country of an E.164 number: a label that tells where codes go, never whose number. */
export function countryOf(e164: string): string {
  return countries.get(e164, () => parsePhoneNumberFromString(e164)?.country ?? UNKNOWN_COUNTRY);
}

// Every send asks for the country of its number several times (the pumping guard, metrics).
const countries = new BoundedCache<string, string>(1000);
