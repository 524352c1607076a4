import * as http from 'http';
import type { AddressInfo, Socket } from 'net';
import * as content from '../../host/fetch-secrets/content';
import { fetchSecrets, mapLimited } from '../../host/fetch-secrets/fetch';
import type { ManifestSecret } from '../../lib/secrets/secrets-manifest';
import { settlesWithin } from '../support/settles-within';

// Focused in-process checks of host/fetch-secrets/fetch.ts.

/** Rejects when `p` has not settled within `ms` (a mapLimited that loops fails fast instead of hanging). */
const within = <T>(p: Promise<T>, ms = 500): Promise<T> => settlesWithin(p, ms);
/** Stalls (instead of spinning) once a task has been called more than any honest run calls it. */
const stallPast = async (calls: number) => {
  if (calls > 10) await new Promise(() => undefined);
};

test('mapLimited runs at most `limit` tasks at a time and returns settled results in input order', async () => {
  let running = 0;
  let peak = 0;
  let calls = 0;
  const task = async (n: number) => {
    await stallPast(++calls);
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setImmediate(r));
    running--;
    if (n === 3) throw new Error('three');
    return n * 10;
  };
  const results = await within(mapLimited([1, 2, 3, 4, 5], 2, task));
  expect(peak).toBe(2);
  expect(results).toEqual([
    { status: 'fulfilled', value: 10 },
    { status: 'fulfilled', value: 20 },
    { status: 'rejected', reason: new Error('three') },
    { status: 'fulfilled', value: 40 },
    { status: 'fulfilled', value: 50 },
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
});

test('mapLimited with a limit above the number of items runs each item once', async () => {
  const seen: number[] = [];
  const results = await within(
    mapLimited([7, 8], 8, async (n) => {
      await stallPast(seen.push(n));
      return n;
    }),
  );
  expect(seen).toEqual([7, 8]);
  expect(results).toEqual([
    { status: 'fulfilled', value: 7 },
    { status: 'fulfilled', value: 8 },
  ]);
  expect(await mapLimited([], 4, async () => 1)).toEqual([]);
});

test('mapLimited takes each item once (a worker that never moves on fails here in 500 ms, not by hanging)', async () => {
  let calls = 0;
  const results = await within(
    mapLimited([1, 2, 3], 2, async (n) => {
      await stallPast(++calls);
      await new Promise((r) => setImmediate(r));
      return n;
    }),
  );
  expect(results.map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual([1, 2, 3]);
  expect(calls).toBe(3);
});

test('fetchSecrets uses one client per region (one kept-alive connection for two secrets) and destroys it at the end (no connection left open)', async () => {
  const open = new Set<Socket>();
  let connections = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (++requests > 2) return; // more calls than secrets: a looping worker; hang it so the bound below fails the test

      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
    });
  });
  server.on('connection', (sock) => {
    connections++;
    open.add(sock);
    sock.on('close', () => open.delete(sock));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const list = ['openclaw/a', 'openclaw/b'].map((secretId) => ({ id: secretId, kind: 'agent', secretId, region: 'eu-west-1' }) as unknown as ManifestSecret);
    // An index outside the list gives a valid secret, so a worker walking off the list awaits the network instead of spinning.
    const secrets = new Proxy(list, { get: (t, k, r) => (typeof k === 'string' && /^-\d+$/.test(k) ? list[0] : Reflect.get(t, k, r)) });
    const credentials = { provider: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }), role: 'r', endpoint: 'e' } as never;
    const e = (await within(
      fetchSecrets(secrets, credentials, { maxAttempts: 1, retryBaseMs: 1, concurrency: 1 }).then(
        () => new Error('no failure'),
        (x: unknown) => x,
      ),
      1500,
    )) as { reason?: string; subject?: string };
    expect([e.reason, e.subject]).toEqual(['SecretMissing', 'openclaw/a']);
    await new Promise((r) => setTimeout(r, 50));
    expect(connections).toBe(1);
    expect(open.size).toBe(0);
  } finally {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    for (const sock of open) sock.destroy();
    await new Promise((r) => server.close(r));
  }
});

test('an error of the program itself while a secret is handled (not a SecretsFailure) is Unexpected, named as a bug of fetch-secrets with its cause', async () => {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Name: 'openclaw/a', SecretString: '{"k":"v"}', VersionId: 'v1', VersionStages: ['AWSCURRENT'] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const render = jest.spyOn(content, 'renderSecretFile').mockImplementation(() => {
    throw new TypeError("Cannot read properties of undefined (reading 'k')");
  });
  try {
    const secrets = [{ id: 'a', kind: 'agent', secretId: 'openclaw/a', region: 'eu-west-1' }] as unknown as ManifestSecret[];
    const credentials = { provider: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }), role: 'r', endpoint: 'e' } as never;
    const e = (await within(
      fetchSecrets(secrets, credentials, { maxAttempts: 1, retryBaseMs: 1, concurrency: 1 }).then(
        () => new Error('no failure'),
        (x: unknown) => x,
      ),
      1500,
    )) as { name?: string; message?: string };
    expect(render).toHaveBeenCalledTimes(1);
    expect([e.name, e.message]).toEqual([
      'SecretsFailure',
      "Unexpected: fetch: TypeError: Cannot read properties of undefined (reading 'k'); this is a bug of fetch-secrets: report it",
    ]);
  } finally {
    render.mockRestore();
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    await new Promise((r) => server.close(r));
  }
});
