import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { validateConfiguration } from '../src/config';
import { createTestApp, DATABASE_LABEL, TestApp } from './utils/test-app';

// The Dockerfile and compose.yaml cannot be built or run on this machine: what can be checked without Docker is
// checked here, against the build output, the configuration the service reads and the routes it serves.
const ROOT = resolve(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface ComposeService {
  build?: unknown;
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}

/** Every variable name the configuration namespaces mention (src/config, specs aside). */
function knownVariables(): Set<string> {
  const directory = join(ROOT, 'src/config');
  const names = readdirSync(directory)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .flatMap(
      (file) =>
        readFileSync(join(directory, file), 'utf8').match(
          /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\bPORT\b|\bHOST\b/g,
        ) ?? [],
    );
  return new Set(names);
}

// What an operator gives the `${NAME:?...}` variables of compose.yaml: realistic values of the right shape.
const OPERATOR_VALUES: Record<string, string> = {
  JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString(),
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
  TWILIO_VERIFY_SERVICE_SID: `VA${'0'.repeat(32)}`,
};

/** Compose's interpolation: `${NAME:-default}` takes the default, `${NAME:?message}` what an operator gives. */
function interpolate(value: string): string {
  return value.replace(
    /\$\{(\w+)(?::([-?])([^}]*))?\}/g,
    (_match, name: string, kind?: string, rest?: string) => {
      if (kind === '-') return rest ?? '';
      const given = OPERATOR_VALUES[name];
      if (given === undefined)
        throw new Error(`compose.yaml asks for ${name}: give it a value in OPERATOR_VALUES`);
      return given;
    },
  );
}

/** The instructions of a Dockerfile, continuation lines joined. */
function instructions(dockerfile: string): { keyword: string; args: string }[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

describe(`deployment files (${DATABASE_LABEL})`, () => {
  const dockerfile = instructions(read('Dockerfile'));
  const finalStage = dockerfile.slice(dockerfile.map(({ keyword }) => keyword).lastIndexOf('FROM'));
  const compose = parse(read('compose.yaml')) as { services: Record<string, ComposeService> };
  const instances = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('builds in one stage and runs in another, as a user that is not root', () => {
    expect(dockerfile.filter(({ keyword }) => keyword === 'FROM').length).toBeGreaterThanOrEqual(2);
    const user = finalStage.filter(({ keyword }) => keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('runs the build output with node, and the build writes that file', () => {
    const command = JSON.parse(finalStage.find(({ keyword }) => keyword === 'CMD')!.args) as string[];
    expect(command[0]).toBe('node');
    expect(command.join(' ')).not.toMatch(/nest|npm|ts-node/);
    const build = dockerfile.find(({ keyword, args }) => keyword === 'RUN' && /npm run build/.test(args));
    expect(build).toBeDefined();

    // What the image's build stage runs, here.
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });

    expect(existsSync(join(ROOT, command[1]))).toBe(true);
  });

  it('checks the health of the container on a route the service serves', async () => {
    const healthcheck = dockerfile.find(({ keyword }) => keyword === 'HEALTHCHECK')!.args;
    const path = /https?:\/\/[^/]+(\/[\w/-]+)/.exec(healthcheck)?.[1];

    expect(path).toBe('/health/live');
    await testApp.http().get(path!).expect(200);
  });

  it('sets only variables the service reads', () => {
    const known = knownVariables();
    const set = [
      ...finalStage.filter(({ keyword }) => keyword === 'ENV').map(({ args }) => args.split(/[=\s]/)[0]),
      ...instances.flatMap(([, service]) => Object.keys(service.environment ?? {})),
    ];

    expect(set).toEqual(expect.arrayContaining(['NODE_ENV', 'DATABASE_URL', 'REDIS_URL', 'TRUST_PROXY']));
    expect(set.filter((name) => !known.has(name))).toEqual([]);
  });

  it('gives each instance a configuration the service accepts', () => {
    const imageEnv = Object.fromEntries(
      finalStage
        .filter(({ keyword }) => keyword === 'ENV')
        .map(({ args }) => args.split('=') as [string, string]),
    );
    const saved = { ...process.env };
    try {
      for (const [, service] of instances) {
        for (const name of Object.keys(process.env)) delete process.env[name];
        const composeEnv = Object.entries(service.environment ?? {}).map(([name, value]) => [
          name,
          interpolate(String(value)),
        ]);
        Object.assign(process.env, imageEnv, Object.fromEntries(composeEnv));

        expect(() => validateConfiguration()).not.toThrow();
      }
    } finally {
      for (const name of Object.keys(process.env)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('runs two instances behind one proxy, which TRUST_PROXY trusts, on PostgreSQL and Redis', () => {
    expect(instances.map(([name]) => name)).toHaveLength(2);
    for (const [, service] of instances) {
      expect(service.environment).toMatchObject({ TRUST_PROXY: '1' });
      expect(service.environment!.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
      expect(service.environment!.REDIS_URL).toBe('redis://redis:6379');
    }
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    expect(compose.services.redis?.image).toMatch(/^redis:/);

    const proxy = compose.services.proxy;
    const mounted = proxy.volumes!.map((volume) => volume.split(':')[0]);
    expect(mounted).toEqual(['./deploy/nginx.conf']);
    const nginx = read('deploy/nginx.conf');
    const upstreams = [...nginx.matchAll(/^\s*server\s+([\w.-]+):(\d+);/gm)].map((match) => match[1]);
    expect(upstreams.sort()).toEqual(instances.map(([name]) => name).sort());
    for (const [, port] of nginx.matchAll(/^\s*server\s+[\w.-]+:(\d+);/gm)) expect(port).toBe('3000');
    // One hop, which replaces what the client sent: a client cannot forge its address.
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
  });
});
