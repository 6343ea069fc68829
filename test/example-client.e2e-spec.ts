import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort, ServiceProcess, spawnService, until } from './utils/service-process';
import { E2E_DATABASE_URL, removeSqliteFile, tempSqliteFile } from './utils/test-app';

// The typed example client (examples/journey.ts, type-checked against the generated document by
// `npm run openapi:client`) walks the journey against a running instance, a person typing the logged code.
// Two processes start under ts-node here: on a busy machine that takes longer than the default timeout.
const PROCESS_TIMEOUT_MS = 120_000;

describe('the example client generated from the OpenAPI document', () => {
  const sqliteFile = tempSqliteFile();
  let service: ServiceProcess;
  let api: string;
  let client: ChildProcess | undefined;

  beforeAll(async () => {
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    service = spawnService({
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: E2E_DATABASE_URL ?? `sqlite:${sqliteFile}`,
      VERIFY_PROVIDER: 'log',
    });
    await service.started();
    expect(service.child.exitCode).toBeNull();
  }, PROCESS_TIMEOUT_MS);

  afterEach(async () => {
    // A client left waiting for a code would keep jest alive after a failure.
    if (client && client.exitCode === null && client.signalCode === null) {
      const exited = once(client, 'exit');
      client.kill('SIGKILL');
      await exited;
    }
  });

  afterAll(async () => {
    await service.kill();
    removeSqliteFile(sqliteFile);
  });

  it(
    'registers, has a code sent, types a wrong then the logged code, and ends confirmed',
    async () => {
      client = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'examples/journey.ts'], {
        env: { PATH: process.env.PATH, API_URL: api, COUNTRY_CODE: '44', PHONE_NUMBER: '07400 123789' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      const journey = client;
      journey.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      journey.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(journey, 'exit');
      const prompts = () => output.split('code: ').length - 1;

      const codeLine = /verification code for \+44\*{6}789 by sms: (\d{6})/;
      await until(() => prompts() === 1 || journey.exitCode !== null);
      // The service's log is written asynchronously: its line may land just after the client's prompt.
      await until(() => codeLine.test(service.output()) || service.child.exitCode !== null);
      const logged = codeLine.exec(service.output());
      expect(logged).not.toBeNull();
      const code = logged![1];
      journey.stdin!.write(`${code === '000000' ? '111111' : '000000'}\n`);
      await until(() => prompts() === 2 || journey.exitCode !== null);
      journey.stdin!.write(`${code}\n`);
      const [exitCode] = await exited;

      expect(output).toContain('code sent to +44******789 by sms');
      expect(output).toContain('wrong code, 4 attempts left');
      expect(output).toContain('confirmed +447400123789');
      expect(output).toContain('phoneNumberConfirmed: true');
      expect(exitCode).toBe(0);
    },
    PROCESS_TIMEOUT_MS,
  );
});
