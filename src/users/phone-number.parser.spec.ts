import { ConfigType } from '@nestjs/config';
import { getExampleNumber, NumberType, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/examples.mobile.json';
import { AppError } from '../common/app-error';
import { ErrorCode } from '../common/error-codes';
import { verifyConfig } from '../config/verify.config';
import {
  maskPhoneNumber,
  ParsedPhoneNumber,
  PhoneNumberInput,
  PhoneNumberParser,
} from './phone-number.parser';
import { verifyConfigWith } from '../../test/utils/verify-config';

function configWith(allowedCountries: string[]): ConfigType<typeof verifyConfig> {
  return verifyConfigWith({ allowedCountries });
}

function errorOf(parser: PhoneNumberParser, input: PhoneNumberInput): AppError {
  let thrown: unknown;
  try {
    parser.parse(input);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AppError);
  return thrown as AppError;
}

const UK_MOBILE: ParsedPhoneNumber = {
  e164: '+447123456789',
  countryCode: '44',
  nationalNumber: '7123456789',
  country: 'GB',
  smsCapable: true,
};

// Numbers nobody should pay to send a code to. libphonenumber-js ships examples for mobiles only, so these
// are hand-picked from its metadata patterns; the type of each is checked first so the test cannot pass
// on a number that libphonenumber classifies differently.
const REFUSED_NUMBERS: Array<[NumberType, string]> = [
  ['PREMIUM_RATE', '+449098790000'],
  ['TOLL_FREE', '+448000000000'],
  ['SHARED_COST', '+33810123456'], // France: the UK numbering plan has no shared-cost type
  ['UAN', '+443012345678'],
  ['PERSONAL_NUMBER', '+447000000000'], // UK 070: forwards at premium-like rates
  ['PAGER', '+447640123456'],
  ['VOICEMAIL', '+41860123456789'], // Switzerland: the UK numbering plan has no voicemail type
  ['VOICEMAIL', '+4781212345'], // Norway
];

// Valid numbers of satellite and international networks, region "001" in libphonenumber: no country's rate.
const NON_GEOGRAPHIC_NUMBERS = [
  '+881612345678', // Iridium
  '+881631234567',
  '+870773111632', // Inmarsat
  '+8823421234', // international networks
  '+883510012345', // international networks, a VoIP range too
  '+878101234567890', // universal personal telecommunications
];

// VoIP ranges of the numbering plans, refused unless VERIFY_ALLOW_VOIP=true.
const VOIP_NUMBERS = ['+445612345678', '+31850000000'];

describe('PhoneNumberParser', () => {
  const parser = new PhoneNumberParser(configWith([]));

  describe('accepts', () => {
    it('an E.164 UK mobile', () => {
      expect(parser.parse({ phoneNumber: '+447123456789' })).toEqual(UK_MOBILE);
    });

    it.each(['07123 456789', '(07123) 456-789', '07123.456.789', '7123456789', ' 07123456789 '])(
      'the national form %j with countryCode 44',
      (phoneNumber) => {
        expect(parser.parse({ phoneNumber, countryCode: 44 })).toEqual(UK_MOBILE);
      },
    );

    it('an E.164 number with the matching countryCode', () => {
      expect(parser.parse({ phoneNumber: '+44 7123 456789', countryCode: 44 })).toEqual(UK_MOBILE);
    });

    it('a US number in national form with countryCode 1', () => {
      expect(parser.parse({ phoneNumber: '(201) 555-0123', countryCode: 1 })).toEqual({
        e164: '+12015550123',
        countryCode: '1',
        nationalNumber: '2015550123',
        country: 'US',
        smsCapable: true,
      });
    });

    it("the library's own example mobiles of several countries", () => {
      for (const country of ['GB', 'US', 'DE', 'FR', 'IN', 'BR', 'JP'] as const) {
        const example = getExampleNumber(country, mobileExamples)!;
        const parsed = parser.parse({ phoneNumber: example.number });
        expect(parsed).toMatchObject({ e164: example.number, country, smsCapable: true });
      }
    });

    it('a UK landline, but marks it as unable to take an SMS', () => {
      expect(parsePhoneNumberFromString('+442079460000')!.getType()).toBe('FIXED_LINE');
      expect(parser.parse({ phoneNumber: '+442079460000' })).toEqual({
        e164: '+442079460000',
        countryCode: '44',
        nationalNumber: '2079460000',
        country: 'GB',
        smsCapable: false,
      });
    });
  });

  describe('refuses with INVALID_PHONE_NUMBER', () => {
    it.each(REFUSED_NUMBERS)('a %s number (%s)', (type, phoneNumber) => {
      const phone = parsePhoneNumberFromString(phoneNumber)!;
      expect(phone.isValid()).toBe(true);
      expect(phone.getType()).toBe(type);

      const error = errorOf(parser, { phoneNumber });
      expect(error.code).toBe<ErrorCode>('INVALID_PHONE_NUMBER');
      expect(error.status).toBe(400);
    });

    it.each(NON_GEOGRAPHIC_NUMBERS)('a number of no country (%s)', (phoneNumber) => {
      const phone = parsePhoneNumberFromString(phoneNumber)!;
      expect(phone.isValid()).toBe(true);
      expect(phone.isNonGeographic()).toBe(true);

      const error = errorOf(parser, { phoneNumber });
      expect(error.code).toBe<ErrorCode>('INVALID_PHONE_NUMBER');
      expect(error.status).toBe(400);
      expect(error.message).toBe('Numbers that belong to no country cannot be verified');
    });

    it('a number of no country given as a national number with its calling code', () => {
      expect(errorOf(parser, { phoneNumber: '6 1234 5678', countryCode: 881 }).code).toBe<ErrorCode>(
        'INVALID_PHONE_NUMBER',
      );
    });

    it.each(VOIP_NUMBERS)('a VoIP number (%s)', (phoneNumber) => {
      const phone = parsePhoneNumberFromString(phoneNumber)!;
      expect(phone.isValid()).toBe(true);
      expect(phone.getType()).toBe<NumberType>('VOIP');

      const error = errorOf(parser, { phoneNumber });
      expect(error.code).toBe<ErrorCode>('INVALID_PHONE_NUMBER');
      expect(error.message).toBe('VoIP numbers cannot be verified');
    });

    it('a UK VoIP number in national form (056)', () => {
      expect(errorOf(parser, { phoneNumber: '056 1234 5678', countryCode: 44 }).code).toBe<ErrorCode>(
        'INVALID_PHONE_NUMBER',
      );
    });

    it('a refused type given in national form with its countryCode', () => {
      expect(errorOf(parser, { phoneNumber: '0800 000 0000', countryCode: 44 }).code).toBe<ErrorCode>(
        'INVALID_PHONE_NUMBER',
      );
      expect(errorOf(parser, { phoneNumber: '0909 879 0000', countryCode: 44 }).code).toBe<ErrorCode>(
        'INVALID_PHONE_NUMBER',
      );
    });

    it.each<[string, PhoneNumberInput]>([
      ['letters', { phoneNumber: '+44 7123 ABC 789' }],
      ['a vanity number', { phoneNumber: '1-800-FLOWERS', countryCode: 1 }],
      ['an empty string', { phoneNumber: '' }],
      ['an empty string with countryCode', { phoneNumber: '', countryCode: 44 }],
      ['only spaces', { phoneNumber: '   ', countryCode: 44 }],
      ['only a plus', { phoneNumber: '+' }],
      ['too short', { phoneNumber: '+447123' }],
      ['too short, national form', { phoneNumber: '0712', countryCode: 44 }],
      ['one digit too many', { phoneNumber: '+4471234567890' }],
      ['far too long', { phoneNumber: `+44${'7'.repeat(40)}` }],
      ['one digit too few', { phoneNumber: '+44712345678' }],
      ['a number in an unassigned range', { phoneNumber: '+441000000000' }],
      ['a UK mobile-length number with a wrong prefix', { phoneNumber: '+446123456789' }],
      ['a US number with an invalid area code', { phoneNumber: '+11235550123' }],
      ['an unassigned country calling code', { phoneNumber: '+999123456789' }],
      ['a national number without countryCode', { phoneNumber: '07123456789' }],
      ['a bare national number without countryCode', { phoneNumber: '7123456789' }],
      ['a UK E.164 number with countryCode 1', { phoneNumber: '+447123456789', countryCode: 1 }],
      ['a US E.164 number with countryCode 44', { phoneNumber: '+12015550123', countryCode: 44 }],
      ['a UK national number with countryCode 1', { phoneNumber: '07123 456789', countryCode: 1 }],
      ['a plus in the middle', { phoneNumber: '44+7123456789', countryCode: 44 }],
      ['an extension', { phoneNumber: '+447123456789 ext. 12' }],
      ['a second number after a line break', { phoneNumber: '+447123456789\n+12015550123' }],
      ['a NUL character', { phoneNumber: '+447123456789\u0000' }],
    ])('%s', (_label, input) => {
      const error = errorOf(parser, input);
      expect(error.code).toBe<ErrorCode>('INVALID_PHONE_NUMBER');
      expect(error.status).toBe(400);
    });
  });

  describe('with VERIFY_ALLOW_VOIP=true', () => {
    const voipAllowed = new PhoneNumberParser(verifyConfigWith({ allowVoip: true }));

    it.each(VOIP_NUMBERS)('accepts the VoIP number %s, able to take an SMS', (phoneNumber) => {
      expect(voipAllowed.parse({ phoneNumber })).toMatchObject({ e164: phoneNumber, smsCapable: true });
    });

    it.each(NON_GEOGRAPHIC_NUMBERS)('still refuses the number of no country %s', (phoneNumber) => {
      expect(errorOf(voipAllowed, { phoneNumber }).code).toBe<ErrorCode>('INVALID_PHONE_NUMBER');
    });

    it('still refuses premium-rate numbers', () => {
      expect(errorOf(voipAllowed, { phoneNumber: '+449098790000' }).code).toBe<ErrorCode>(
        'INVALID_PHONE_NUMBER',
      );
    });
  });

  describe('with a country allow-list', () => {
    const gbOnly = new PhoneNumberParser(configWith(['GB']));

    it('accepts a number of an allowed country', () => {
      expect(gbOnly.parse({ phoneNumber: '+447123456789' })).toEqual(UK_MOBILE);
      expect(gbOnly.parse({ phoneNumber: '07123 456789', countryCode: 44 })).toEqual(UK_MOBILE);
    });

    it('refuses a valid number of another country with COUNTRY_NOT_ALLOWED', () => {
      const error = errorOf(gbOnly, { phoneNumber: '(201) 555-0123', countryCode: 1 });
      expect(error.code).toBe<ErrorCode>('COUNTRY_NOT_ALLOWED');
      expect(error.status).toBe(400);
      expect(errorOf(gbOnly, { phoneNumber: '+12015550123' }).code).toBe<ErrorCode>('COUNTRY_NOT_ALLOWED');
    });

    it('refuses a country that shares an allowed calling code (Jersey, +44)', () => {
      const jersey = parsePhoneNumberFromString('+447797123456')!;
      expect(jersey.country).toBe('JE');
      expect(errorOf(gbOnly, { phoneNumber: '+447797123456' }).code).toBe<ErrorCode>('COUNTRY_NOT_ALLOWED');
    });

    it('accepts every listed country', () => {
      const gbAndUs = new PhoneNumberParser(configWith(['GB', 'US']));
      expect(gbAndUs.parse({ phoneNumber: '+447123456789' }).country).toBe('GB');
      expect(gbAndUs.parse({ phoneNumber: '+12015550123' }).country).toBe('US');
      expect(errorOf(gbAndUs, { phoneNumber: '+33612345678' }).code).toBe<ErrorCode>('COUNTRY_NOT_ALLOWED');
    });

    it('still refuses an invalid number as INVALID_PHONE_NUMBER, not COUNTRY_NOT_ALLOWED', () => {
      expect(errorOf(gbOnly, { phoneNumber: '+1123' }).code).toBe<ErrorCode>('INVALID_PHONE_NUMBER');
    });

    it('refuses a number of no country as INVALID_PHONE_NUMBER, not COUNTRY_NOT_ALLOWED', () => {
      expect(errorOf(gbOnly, { phoneNumber: '+881612345678' }).code).toBe<ErrorCode>('INVALID_PHONE_NUMBER');
    });
  });
});

describe('maskPhoneNumber', () => {
  it('keeps the country code and the last three digits only', () => {
    expect(maskPhoneNumber('44', '7123456789')).toBe('+44******789');
  });

  it('does not reveal the length of the number', () => {
    expect(maskPhoneNumber('1', '2015550123')).toBe('+1******123');
    expect(maskPhoneNumber('47', '81212345')).toBe('+47******345');
  });
});

describe('PhoneNumberParser with test numbers', () => {
  const parser = new PhoneNumberParser(
    verifyConfigWith({
      testNumbers: new Map([
        ['+447700900123', '123456'],
        ['+15555550100', '000000'],
      ]),
      allowedCountries: ['GB', 'US'],
    }),
  );

  it.each<[string, PhoneNumberInput, string]>([
    ['E.164', { phoneNumber: '+447700900123' }, '+447700900123'],
    ['typed with its country code', { phoneNumber: '07700 900123', countryCode: 44 }, '+447700900123'],
    ['a US fictional number', { phoneNumber: '(555) 555-0100', countryCode: 1 }, '+15555550100'],
  ])('accepts a listed number %s before the numbering plan would refuse it', (_label, input, e164) => {
    expect(parser.parse(input)).toMatchObject({ e164, smsCapable: true });
  });

  it.each<[string, PhoneNumberInput]>([
    ['an unlisted number of the same fictional range', { phoneNumber: '+447700900124' }],
    ['a listed number under another country code', { phoneNumber: '7700900123', countryCode: 1 }],
  ])('still refuses %s', (_label, input) => {
    expect(errorOf(parser, input).code).toBe<ErrorCode>('INVALID_PHONE_NUMBER');
  });
});
