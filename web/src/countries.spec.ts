import { CountryRow, defaultCountry, displayNumber, pickerCountries } from './countries';

const ROWS: CountryRow[] = [
  ['US', '1', '(201) 555-0123', true],
  ['CA', '1', '(506) 234-5678', false],
  ['GB', '44', '07400 123456', true],
  ['DE', '49', '01512 3456789', true],
  ['GG', '44', '07781 123456', false],
];

describe('pickerCountries', () => {
  it('offers every country, named and sorted, when no allow-list is set', () => {
    expect(pickerCountries(ROWS, [], 'en').map((country) => country.name)).toEqual([
      'Canada',
      'Germany',
      'Guernsey',
      'United Kingdom',
      'United States',
    ]);
  });

  it('offers only the allowed countries, whatever their case', () => {
    expect(pickerCountries(ROWS, ['gb', 'US'], 'en').map((country) => country.region)).toEqual(['GB', 'US']);
  });

  it('names countries in the reader’s language', () => {
    expect(pickerCountries(ROWS, ['DE'], 'de')[0]).toEqual({
      region: 'DE',
      callingCode: '49',
      example: '01512 3456789',
      main: true,
      name: 'Deutschland',
    });
  });
});

describe('defaultCountry', () => {
  const all = pickerCountries(ROWS, [], 'en');
  it.each([
    ['44', ['fr-FR'], 'GB'],
    ['1', ['en-GB'], 'US'],
    [null, ['de-DE', 'en'], 'DE'],
    [null, ['en-CA'], 'CA'],
    [null, ['en', 'fr'], 'CA'],
    ['999', ['en-US'], 'US'],
  ])('stored code %s with languages %j selects %s', (stored, languages, region) => {
    expect(defaultCountry(all, stored, languages)?.region).toBe(region);
  });

  it('falls back to the only allowed country', () => {
    expect(defaultCountry(pickerCountries(ROWS, ['DE'], 'en'), '44', ['en-GB'])?.region).toBe('DE');
  });
});

describe('displayNumber', () => {
  it.each([
    ['44', '7123456789', '+447123456789', '+44 7123456789'],
    [null, null, '+447123456789', '+447123456789'],
  ])('%s %s %s reads %s', (callingCode, national, e164, shown) => {
    expect(displayNumber(callingCode, national, e164)).toBe(shown);
  });
});
