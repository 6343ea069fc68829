import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { CountryCode, NumberType, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { BoundedCache } from '../common/bounded-cache';
import { AppError } from '../common/app-error';
import { verifyConfig } from '../config';

export interface PhoneNumberInput {
  phoneNumber: string;
  /** Country dialing code (`44`); without it `phoneNumber` must be E.164. */
  countryCode?: number;
}

export interface ParsedPhoneNumber {
  e164: string;
  countryCode: string;
  nationalNumber: string;
  /** ISO 3166 alpha-2, when the numbering plan tells. */
  country?: string;
  /** A fixed line can take a voice call but not an SMS. */
  smsCapable: boolean;
}

// Numbers nobody should be paying to verify: the staple of SMS-pumping fraud (premium-rate, shared-cost, and
// personal numbers that forward at premium rates), or numbers that cannot receive a code.
const REFUSED_TYPES = new Set<NumberType>([
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'PERSONAL_NUMBER',
  'PAGER',
  'VOICEMAIL',
  'UAN',
]);
const TYPED_CHARACTERS = /^\+?[\d\s().-]+$/;

@Injectable()
export class PhoneNumberParser {
  constructor(@Inject(verifyConfig.KEY) private readonly config: ConfigType<typeof verifyConfig>) {}

  parse(input: PhoneNumberInput): ParsedPhoneNumber {
    const testNumber = this.testNumber(input);
    if (testNumber) return testNumber;
    const phone = this.parseValid(input);
    const type = phone.type;
    if (type && REFUSED_TYPES.has(type)) {
      throw new AppError(
        'INVALID_PHONE_NUMBER',
        'This kind of number (premium-rate, toll-free, ...) cannot be verified',
      );
    }
    // Satellite and international networks (+870, +881, +882, +883, ...) bill far above any country's rate.
    if (phone.nonGeographic) {
      throw new AppError('INVALID_PHONE_NUMBER', 'Numbers that belong to no country cannot be verified');
    }
    if (type === 'VOIP' && !this.config.allowVoip) {
      throw new AppError('INVALID_PHONE_NUMBER', 'VoIP numbers cannot be verified');
    }
    const allowed = this.config.allowedCountries;
    if (allowed.length > 0 && (!phone.country || !allowed.includes(phone.country))) {
      throw new AppError('COUNTRY_NOT_ALLOWED', 'Numbers of this country cannot be verified here');
    }
    return {
      e164: phone.number,
      countryCode: phone.countryCallingCode,
      nationalNumber: phone.nationalNumber,
      country: phone.country,
      smsCapable: type !== 'FIXED_LINE',
    };
  }

  /**
   * A number of `VERIFY_TEST_NUMBERS`, matched before the numbering plan is consulted: the ranges kept for
   * drama and testing (+44 7700 900xxx) are not valid numbers, and that is why they can serve.
   */
  private testNumber({ phoneNumber, countryCode }: PhoneNumberInput): ParsedPhoneNumber | null {
    if (this.config.testNumbers.size === 0) return null;
    const text = phoneNumber.trim();
    if (!TYPED_CHARACTERS.test(text)) return null;
    const phone = parseOrUndefined(text, countryCode);
    if (!phone || !this.config.testNumbers.has(phone.number)) return null;
    if (countryCode !== undefined && phone.countryCallingCode !== String(countryCode)) return null;
    return {
      e164: phone.number,
      countryCode: phone.countryCallingCode,
      nationalNumber: phone.nationalNumber,
      country: phone.country,
      smsCapable: true,
    };
  }

  private parseValid({ phoneNumber, countryCode }: PhoneNumberInput): PhoneFacts {
    const text = phoneNumber.trim();
    if (!TYPED_CHARACTERS.test(text)) {
      throw new AppError(
        'INVALID_PHONE_NUMBER',
        'phoneNumber may only hold digits, spaces, dashes, dots and parentheses',
      );
    }
    if (countryCode === undefined && !text.startsWith('+')) {
      throw new AppError(
        'INVALID_PHONE_NUMBER',
        'phoneNumber must be in E.164 form (+447123456789) or come with countryCode',
      );
    }
    const phone = parseOrUndefined(text, countryCode);
    if (!phone || !phone.valid) {
      throw new AppError('INVALID_PHONE_NUMBER', 'phoneNumber is not a valid phone number');
    }
    if (countryCode !== undefined && phone.countryCallingCode !== String(countryCode)) {
      throw new AppError('INVALID_PHONE_NUMBER', 'phoneNumber does not belong to countryCode');
    }
    return phone;
  }
}

/** What the rules read of a parsed number: the numbering plan's answers, computed once per number. */
interface PhoneFacts {
  number: string;
  countryCallingCode: string;
  nationalNumber: string;
  country?: CountryCode;
  valid: boolean;
  /** Only for a valid number. */
  type?: NumberType;
  nonGeographic: boolean;
}

// The same numbers come back (every send judges the stored number again), and the numbering plan's regular
// expressions cost more than the rest of a send's rules.
const parsed = new BoundedCache<string, PhoneFacts | undefined>(1000);

function parseOrUndefined(text: string, countryCode: number | undefined): PhoneFacts | undefined {
  return parsed.get(`${countryCode ?? ''} ${text}`, () => {
    try {
      const phone = text.startsWith('+')
        ? parsePhoneNumberFromString(text)
        : parsePhoneNumberFromString(text, { defaultCallingCode: String(countryCode) });
      if (!phone) return undefined;
      const valid = phone.isValid();
      return {
        number: phone.number,
        countryCallingCode: phone.countryCallingCode,
        nationalNumber: phone.nationalNumber,
        country: phone.country,
        valid,
        type: valid ? phone.getType() : undefined,
        nonGeographic: valid && phone.isNonGeographic(),
      };
    } catch {
      // libphonenumber throws for a calling code it does not know.
      return undefined;
    }
  });
}

/** `+44******789`: the country code and the last three digits, nothing that tells the length. */
export function maskPhoneNumber(countryCode: string, nationalNumber: string): string {
  return `+${countryCode}******${nationalNumber.slice(-3)}`;
}
