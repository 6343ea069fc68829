// The floor: GET /users/me on raw node:http, doing the route's essential work and nothing else: the bearer
// token verified with jose against the service's published keys (and remembered until it expires, as the
// service does), the session and its user read with one prepared query, and the same JSON body. No framework,
// no middleware, no request limit, no log line. `npm run bench` runs it beside the service, on the service's
// own database (SQLite through a read-only connection, PostgreSQL through a pool of 10).
'use strict';
const http = require('node:http');
const { createLocalJWKSet, jwtVerify } = require('jose');

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SQL =
  'SELECT u.id, u.email, u.phone_e164, u.phone_country_code, u.phone_national_number, u.phone_confirmed,' +
  ' u.phone_confirmed_at, u.created_at FROM users u JOIN sessions s ON s.user_id = u.id' +
  ' WHERE u.id = $1 AND s.id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3';

function sqliteReader(file) {
  const Database = require('better-sqlite3');
  const statement = new Database(file, { readonly: true }).prepare(SQL.replace(/\$\d/g, '?'));
  const text = (date) => date.toISOString().replace('T', ' ').replace('Z', '');
  const instant = (value) => (value === null ? null : new Date(`${value.replace(' ', 'T')}Z`));
  return async (userId, sessionId, now) => {
    const row = statement.get(userId, sessionId, text(now));
    return (
      row && {
        ...row,
        phone_confirmed: row.phone_confirmed === 1,
        phone_confirmed_at: instant(row.phone_confirmed_at),
        created_at: instant(row.created_at),
      }
    );
  };
}

function postgresReader(url) {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: url, max: 10 });
  return async (userId, sessionId, now) => (await pool.query(SQL, [userId, sessionId, now])).rows[0];
}

async function main() {
  const { JWKS_URL, DATABASE_URL, PORT } = process.env;
  const keys = createLocalJWKSet(await (await fetch(JWKS_URL)).json());
  const userOf = DATABASE_URL.startsWith('sqlite:')
    ? sqliteReader(DATABASE_URL.slice('sqlite:'.length))
    : postgresReader(DATABASE_URL);
  const verified = new Map();

  async function claimsOf(token) {
    const known = verified.get(token);
    if (known && known.exp * 1000 > Date.now()) return known;
    const { payload } = await jwtVerify(token, keys);
    verified.set(token, payload);
    return payload;
  }

  function answer(response, status, body) {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }

  http
    .createServer(async (request, response) => {
      if (request.method !== 'GET' || request.url !== '/users/me')
        return answer(response, 404, { code: 'NOT_FOUND' });
      try {
        const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
        const claims = token && (await claimsOf(token).catch(() => undefined));
        const user = claims && (await userOf(claims.sub, claims.sid, new Date()));
        if (!user) return answer(response, 401, { code: 'UNAUTHORIZED' });
        answer(response, 200, {
          id: user.id,
          email: user.email,
          phoneNumber: user.phone_e164,
          phoneCountryCode: user.phone_country_code,
          phoneNationalNumber: user.phone_national_number,
          phoneNumberConfirmed: user.phone_confirmed,
          phoneNumberConfirmedAt: user.phone_confirmed_at?.toISOString() ?? null,
          createdAt: user.created_at.toISOString(),
        });
      } catch {
        answer(response, 503, { code: 'SERVICE_UNAVAILABLE' });
      }
    })
    .listen(Number(PORT), '127.0.0.1');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
