// How another service verifies this service's access tokens by itself, holding nothing that can mint one.
// Run: IDENTITY_JWKS_URL=http://localhost:3000/.well-known/jwks.json npx ts-node examples/verify-access-token.ts <token>
import { createRemoteJWKSet, jwtVerify, JWTPayload } from 'jose';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;

// Fetched once, cached, and fetched again when a token names a key not seen yet (after a rotation).
const jwks = createRemoteJWKSet(
  new URL(env('IDENTITY_JWKS_URL', 'http://localhost:3000/.well-known/jwks.json')),
);

export async function verifyAccessToken(token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, jwks, {
    issuer: env('IDENTITY_ISSUER', 'identity-service'),
    audience: env('IDENTITY_AUDIENCE', 'identity-service'),
    algorithms: [env('IDENTITY_ALGORITHM', 'ES256')],
  });
  return payload; // sub, email, phone_number, phone_number_verified, sid, auth_time, iat, exp
}

if (require.main === module) {
  verifyAccessToken(process.argv[2] ?? '').then(
    (claims) => console.log(JSON.stringify(claims)),
    (error: Error) => {
      console.error(`refused: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
