import * as http from 'http';
import type { AddressInfo } from 'net';
import { instanceCredentials } from '../../host/fetch-secrets/imds';
import { SecretsFailure } from '../../host/fetch-secrets/failure';

// Focused in-process checks of the metadata probe of host/fetch-secrets/imds.ts, against a loopback fake.

let answer: { token: [number, string]; roles: [number, string] };
let server: http.Server;
const savedEndpoint = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const [status, body] = req.url === '/latest/api/token' ? answer.token : answer.roles;
    res.writeHead(status).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  else process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = savedEndpoint;
  await new Promise((r) => server.close(r));
});

async function failure(): Promise<SecretsFailure> {
  const e: unknown = await instanceCredentials({ timeoutMs: 1000, attempts: 1 }).then(
    () => new Error('no failure'),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SecretsFailure);
  return e as SecretsFailure;
}

test('a token answer other than 200 is ImdsTokenRefused even with a body', async () => {
  answer = { token: [403, 'tok'], roles: [200, 'role'] };
  const f = await failure();
  expect(f.reason).toBe('ImdsTokenRefused');
  expect(f.detail).toMatch(/^the instance metadata service refused an IMDSv2 token \(PUT \/latest\/api\/token answered HTTP 403\); /);
});

test('a role listing other than 200 is NoRoleCredentials even with a body', async () => {
  answer = { token: [200, 'tok'], roles: [404, 'role\n'] };
  const f = await failure();
  expect(f.reason).toBe('NoRoleCredentials');
  expect(f.detail).toMatch(/^no IAM role attached to the instance \(GET \/latest\/meta-data\/iam\/security-credentials\/ answered HTTP 404\); /);
});

test('a blank role listing (whitespace only) is NoRoleCredentials "with no role"', async () => {
  answer = { token: [200, 'tok'], roles: [200, '  \nother'] };
  const f = await failure();
  expect(f.reason).toBe('NoRoleCredentials');
  expect(f.detail).toMatch(/^no IAM role attached to the instance \(GET \/latest\/meta-data\/iam\/security-credentials\/ answered HTTP 200 with no role\); /);
});
