/**
 * Judges an HS256 secret by what it is made of, since its length alone says little: 64 times the same
 * character, or a short phrase repeated, passes any length check. Returns why it is weak, or null.
 */
export function weakSecretReason(secret: string): string | null {
  const distinct = new Set(secret).size;
  if (distinct < 10) return 'uses fewer than 10 different characters';
  if (isRepetition(secret)) return 'repeats a shorter sequence';
  if (estimatedBits(secret) < 128) return 'holds less than 128 bits of entropy';
  return null;
}

/** True when the secret is a shorter sequence repeated (`abcabcabc...`, allowing a cut-off tail). */
function isRepetition(secret: string): boolean {
  for (let period = 1; period <= secret.length / 2; period += 1) {
    let repeats = true;
    for (let i = period; i < secret.length && repeats; i += 1) repeats = secret[i] === secret[i - period];
    if (repeats) return true;
  }
  return false;
}

/** Shannon entropy of the character frequencies, times the length: an upper bound for random strings. */
function estimatedBits(secret: string): number {
  const counts = new Map<string, number>();
  for (const character of secret) counts.set(character, (counts.get(character) ?? 0) + 1);
  const length = [...secret].length;
  let bitsPerCharacter = 0;
  for (const count of counts.values()) {
    const p = count / length;
    bitsPerCharacter -= p * Math.log2(p);
  }
  return bitsPerCharacter * length;
}
