import { domainToASCII } from 'node:url';

/**
 * Characters that show nothing or reorder what is shown: controls, format characters (zero-width spaces and
 * joiners, bidi controls, soft hyphen, BOM), line and paragraph separators, unassigned and private-use code
 * points, and the blank letters some scripts have (Hangul fillers, the braille blank).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0\u2800]/u;

export type CanonicalEmail = { email: string; refusal?: undefined } | { email?: undefined; refusal: string };

/**
 * The one form in which an email is stored and compared, so that no two accounts can show the same address:
 * trimmed, Unicode NFC, the local part lower-cased, the domain in lower-case ASCII (IDNA/UTS #46, so
 * `exämple.com`, `EXÄMPLE.com` and `xn--exmple-cua.com` are one domain). Refused: invisible characters, and
 * compatibility forms in the local part (full-width letters, ligatures) that would look like another address.
 * A value without `@` is returned trimmed for the email validator to judge.
 */
export function canonicalizeEmail(input: string): CanonicalEmail {
  const trimmed = input.trim();
  if (INVISIBLE.test(trimmed)) return { refusal: 'email must not contain invisible or control characters' };
  const composed = trimmed.normalize('NFC');
  const at = composed.lastIndexOf('@');
  if (at <= 0 || at === composed.length - 1) return { email: composed.toLowerCase() };
  const local = composed.slice(0, at).toLowerCase();
  if (local.normalize('NFKC') !== local) {
    return {
      refusal: 'email must not contain full-width letters, ligatures or other compatibility characters',
    };
  }
  const domain = domainToASCII(composed.slice(at + 1));
  if (domain === '') return { refusal: 'email must have a valid domain name' };
  return { email: `${local}@${domain}` };
}
