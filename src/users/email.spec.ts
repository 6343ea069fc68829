import { canonicalizeEmail } from './email';

describe('canonicalizeEmail', () => {
  it.each<[string, string, string]>([
    ['keeps a plain address', 'ada@example.com', 'ada@example.com'],
    ['trims and lower-cases', '  Ada.Lovelace@Example.COM ', 'ada.lovelace@example.com'],
    [
      'composes a decomposed accent in the local part (NFC)',
      'jose\u0301@example.com',
      'jos\u00e9@example.com',
    ],
    ['turns a Unicode domain into its ASCII form', 'ada@exämple.com', 'ada@xn--exmple-cua.com'],
    ['keeps an ASCII (punycode) domain as it is', 'ada@xn--exmple-cua.com', 'ada@xn--exmple-cua.com'],
    ['lower-cases a Unicode domain before encoding it', 'ada@EXÄMPLE.COM', 'ada@xn--exmple-cua.com'],
    ['decomposed and composed domains alike', 'ada@exa\u0308mple.com', 'ada@xn--exmple-cua.com'],
    ['maps full-width letters in the domain (UTS #46)', 'ada@ｅｘａｍｐｌｅ.com', 'ada@example.com'],
    ['maps an ideographic full stop in the domain', 'ada@example。com', 'ada@example.com'],
    ['lower-cases a non-ASCII local part', 'ÉLODIE@example.com', 'élodie@example.com'],
    ['splits at the last @', '"a@b"@example.com', '"a@b"@example.com'],
  ])('%s', (_label, input, canonical) => {
    expect(canonicalizeEmail(input)).toEqual({ email: canonical });
  });

  it.each<[string, string]>([
    ['a zero-width space', 'ada\u200b@example.com'],
    ['a zero-width joiner', 'ad\u200da@example.com'],
    ['a zero-width non-joiner in the domain', 'ada@exam\u200cple.com'],
    ['a right-to-left override', 'ada\u202e@example.com'],
    ['a left-to-right isolate', '\u2066ada@example.com'],
    ['a soft hyphen', 'a\u00adda@example.com'],
    ['a byte-order mark inside', 'ada\ufeff@example.com'],
    ['a NUL', 'ada\u0000@example.com'],
    ['a line feed inside', 'ada\n@example.com'],
    ['CR/LF and a header', 'ada@example.com\r\nBcc: eve@example.com'],
    ['a Hangul filler', 'ada\u3164@example.com'],
    ['a line separator', 'ada\u2028@example.com'],
    ['full-width letters in the local part', 'ａｄａ@example.com'],
    ['a ligature in the local part', 'ﬁnance@example.com'],
    ['a domain that is no domain name', 'ada@exa mple.com'],
  ])('refuses %s', (_label, input) => {
    expect(canonicalizeEmail(input).refusal).toEqual(expect.any(String));
  });

  it('gives look-alike spellings of one address a single canonical form', () => {
    const spellings = [
      'José@Exämple.com',
      'jose\u0301@exa\u0308mple.com',
      'JOSÉ@xn--exmple-cua.com',
      ' josé@EXÄMPLE.COM ',
    ];
    expect(new Set(spellings.map((spelling) => canonicalizeEmail(spelling).email))).toEqual(
      new Set(['josé@xn--exmple-cua.com']),
    );
  });

  it('is idempotent', () => {
    for (const input of ['José@Exämple.com', 'ada@example.com', 'ÉLODIE@ｅｘａｍｐｌｅ.com']) {
      const once = canonicalizeEmail(input).email!;
      expect(canonicalizeEmail(once)).toEqual({ email: once });
    }
  });

  it('leaves a value without a usable @ to the email validator', () => {
    expect(canonicalizeEmail(' Not-An-Email ')).toEqual({ email: 'not-an-email' });
    expect(canonicalizeEmail('ada@')).toEqual({ email: 'ada@' });
  });
});
