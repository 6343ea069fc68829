import { randomBytes } from 'node:crypto';
import { weakSecretReason } from './secret-strength';

describe('weakSecretReason', () => {
  it.each([
    ['one repeated character', 'a'.repeat(64)],
    ['two characters alternating', 'ab'.repeat(32)],
    ['a short phrase repeated', 'password'.repeat(6)],
    ['a longer sequence repeated', '0123456789abcdef'.repeat(3)],
    ['a repetition cut short', `${'secret-key!'.repeat(4)}sec`],
    ['a run of digits', '1234567890'.repeat(4)],
    ['few different characters', 'aaaaaaaabbbbbbbbccccccccdddddddd1'],
    ['a 128-bit hex string (too little entropy for HS256)', randomBytes(16).toString('hex')],
  ])('refuses %s', (_label, secret) => {
    expect(weakSecretReason(secret)).not.toBeNull();
  });

  it.each([
    ['openssl rand -base64 48', randomBytes(48).toString('base64')],
    ['32 random bytes in hex', randomBytes(32).toString('hex')],
    ['32 random base64url characters', randomBytes(24).toString('base64url')],
    ['a long passphrase of many words', 'correct horse battery staple violin orbit mosaic tundra'],
  ])('accepts %s', (_label, secret) => {
    expect(weakSecretReason(secret)).toBeNull();
  });
});
