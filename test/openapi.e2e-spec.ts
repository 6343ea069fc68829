import { ERROR_STATUS, ErrorCode } from '../src/common/error-codes';
import { createTestApp, DATABASE_LABEL, TestApp } from './utils/test-app';

interface Example {
  value: { statusCode: number; code: string; error: string; message: string };
}
interface MediaType {
  schema?: { $ref?: string; allOf?: { properties?: { code?: { enum?: string[] } } }[] };
  examples?: Record<string, Example>;
}
interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { description: string; content?: Record<string, MediaType>; headers?: object }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { additionalProperties?: boolean; required?: string[]; properties?: object }>;
  };
}

describe(`the OpenAPI document, as client generators read it (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;
  let document: Document;
  let operations: [string, Operation][];

  beforeAll(async () => {
    testApp = await createTestApp();
    document = (await testApp.http().get('/docs-json').expect(200)).body as Document;
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]): [string, Operation] => [
        `${method.toUpperCase()} ${path}`,
        operation,
      ]),
    );
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('names every operation once, in camelCase', () => {
    const ids = operations.map(([, operation]) => operation.operationId);

    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      Object.fromEntries(operations.map(([route, operation]) => [route, operation.operationId])),
    ).toMatchObject({
      'POST /auth/register': 'register',
      'POST /auth/login': 'login',
      'POST /auth/refresh': 'refresh',
      'POST /auth/logout': 'logout',
      'POST /auth/password': 'changePassword',
      'GET /.well-known/jwks.json': 'getJwks',
      'GET /.well-known/openid-configuration': 'getOpenIdConfiguration',
      'GET /users/me': 'getMe',
      'PUT /users/me/phone': 'setPhoneNumber',
      'DELETE /users/me/phone': 'deletePhoneNumber',
      'POST /phone-verification/start': 'startVerification',
      'POST /phone-verification/check': 'checkVerification',
      'GET /phone-verification/status': 'getVerificationStatus',
    });
  });

  it('gives every error status an example per code, each with that status and code', () => {
    const checked: string[] = [];
    for (const [route, operation] of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const json = response.content?.['application/json'];
        if (Number(status) < 400 || !json?.examples) continue;
        const codes = json.schema?.allOf?.[1]?.properties?.code?.enum ?? [];
        expect(Object.keys(json.examples).sort()).toEqual([...codes].sort());
        for (const [code, { value }] of Object.entries(json.examples)) {
          expect({ route, status: value.statusCode, code: value.code }).toEqual({
            route,
            status: Number(status),
            code,
          });
          expect(ERROR_STATUS[code as ErrorCode]).toBe(Number(status));
          expect(value.message.length).toBeGreaterThan(0);
          expect(response.description).toContain(code);
          checked.push(`${route} ${status} ${code}`);
        }
      }
    }

    expect(checked).toEqual(
      expect.arrayContaining([
        'POST /auth/register 409 EMAIL_TAKEN',
        'POST /auth/login 401 INVALID_CREDENTIALS',
        'POST /phone-verification/start 429 RESEND_TOO_SOON',
        'POST /phone-verification/start 502 VERIFY_PROVIDER_ERROR',
        'POST /phone-verification/check 400 INVALID_CODE',
        'GET /users/me 401 UNAUTHORIZED',
      ]),
    );
  });

  it('documents the error responses of a route with the codes of the route only', () => {
    const register = operations.find(([route]) => route === 'POST /auth/register')![1];
    const check = operations.find(([route]) => route === 'POST /phone-verification/check')![1];
    const examples = (operation: Operation, status: string) =>
      Object.keys(operation.responses[status].content!['application/json'].examples!);

    expect(Object.keys(register.responses)).not.toContain('401');
    expect(examples(register, '400')).toEqual(['VALIDATION_FAILED']);
    expect(examples(check, '400')).toEqual(
      expect.arrayContaining([
        'INVALID_CODE',
        'NO_PENDING_VERIFICATION',
        'VERIFICATION_EXPIRED',
        'VALIDATION_FAILED',
      ]),
    );
    expect(check.responses['429'].headers).toHaveProperty('Retry-After');
    expect(check.responses['401'].headers).toHaveProperty('WWW-Authenticate');
    expect(register.responses['400'].headers).toBeUndefined();
    expect(
      operations.find(([route]) => route === 'POST /phone-verification/check')![1].responses['400'].content![
        'application/json'
      ].examples!.INVALID_CODE.value,
    ).toHaveProperty('attemptsRemaining');
  });

  it('closes every request body schema, and keeps optional fields optional', () => {
    const requestSchemas = operations.flatMap(([, operation]) => {
      const ref = operation.requestBody?.content['application/json']?.schema?.$ref;
      return ref ? [ref.split('/').at(-1)!] : [];
    });

    expect(requestSchemas).toEqual(
      expect.arrayContaining(['RegisterDto', 'LoginDto', 'SetPhoneNumberDto', 'StartVerificationDto']),
    );
    for (const name of requestSchemas) {
      expect({ name, additionalProperties: document.components.schemas[name].additionalProperties }).toEqual({
        name,
        additionalProperties: false,
      });
    }
    const start = document.components.schemas.StartVerificationDto;
    expect(start.required ?? []).toEqual([]);
    expect(JSON.stringify(start)).not.toContain('"default"');
  });

  it('lists each header once, and Idempotency-Key as optional', () => {
    for (const [route, operation] of operations) {
      const headers = (operation.parameters ?? []).filter((parameter) => parameter.in === 'header');
      const names = headers.map((parameter) => parameter.name.toLowerCase());
      expect({ route, names: [...new Set(names)] }).toEqual({ route, names });
    }
    const start = operations.find(([route]) => route === 'POST /phone-verification/start')![1];
    expect(start.parameters!.filter((parameter) => parameter.in === 'header')).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', required: false }),
    ]);
  });

  it('keeps the token in Swagger UI across reloads', async () => {
    const init = await testApp.http().get('/docs/swagger-ui-init.js').expect(200);

    expect(init.text).toMatch(/"persistAuthorization":\s*true/);
  });
});
