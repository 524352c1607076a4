import { spawn, type ChildProcess } from 'child_process';

/**
 * A fake instance metadata service for the egress proxy's IMDS netns test: one node process in
 * the "internet" namespace answering plain HTTP on port 80 of every address there, behaving like
 * IMDSv2 with HttpTokens required (docs.aws.amazon.com/AWSEC2/latest/UserGuide/
 * instance-metadata-v2-how-it-works.html) on FAKE_IMDS.address only:
 *  - PUT /latest/api/token needs X-aws-ec2-metadata-token-ttl-seconds (1..21600, else 400) and is
 *    refused (403) when it carries X-Forwarded-For: IMDSv2 issues no token through a forwarding
 *    proxy (AWS Security Blog, "Add defense in depth against open firewalls, reverse proxies, and
 *    SSRF vulnerabilities with enhancements to the EC2 Instance Metadata Service"). The answer
 *    echoes the TTL header, as IMDS does.
 *  - GET under /latest/meta-data/ needs a token it issued (X-aws-ec2-metadata-token, else 401);
 *    .../iam/security-credentials/ lists the role, .../iam/security-credentials/<role> gives the
 *    credentials JSON (Code, Type, AccessKeyId, SecretAccessKey, Token, Expiration, LastUpdated).
 * Any other local address answers "other link-local <address>" (so a refusal there is the
 * proxy's doing, not a missing server). Each request is printed as one JSON line on stdout
 * (method, address, path, headers), read back with `requests()`. Exits by itself after 120 s
 * or when stdin closes.
 */

/** What the fake IMDS serves. */
export const FAKE_IMDS = {
  /** The instance metadata service's address (as on EC2). */
  address: '169.254.169.254',
  /** Another link-local address that answers on 80 (refused by the proxy in every deployment). */
  otherLinkLocal: '169.254.169.250',
  /** The instance profile's role name. */
  role: 'oc-test-gateway-role',
  /** The access key id the credentials carry (AWS's documentation example id). */
  accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
} as const;

/** One request the fake IMDS received. */
export interface ImdsRequest {
  /** HTTP method. */
  method: string;
  /** The local address it arrived on. */
  address: string;
  /** The request path. */
  path: string;
  /** The request headers, lower-cased names. */
  headers: Record<string, string>;
}

export interface RunningImds {
  /** The requests seen so far. */
  requests: () => ImdsRequest[];
  /** Stops the server. */
  stop: () => void;
}

const SERVER = `
const http = require('http'), crypto = require('crypto');
const [imds, role, keyId] = process.argv.slice(1);
const tokens = new Set();
const send = (r, status, body, headers = {}) => { r.writeHead(status, { 'content-type': 'text/plain', ...headers }); r.end(body); };
http.createServer((q, r) => {
  console.log(JSON.stringify({ method: q.method, address: q.socket.localAddress, path: q.url, headers: q.headers }));
  if (q.socket.localAddress !== imds) return send(r, 200, 'other link-local ' + q.socket.localAddress + '\\n');
  if (q.url === '/latest/api/token') {
    if (q.method !== 'PUT') return send(r, 405, 'Method Not Allowed');
    if ('x-forwarded-for' in q.headers) return send(r, 403, 'Forbidden');
    const ttl = Number(q.headers['x-aws-ec2-metadata-token-ttl-seconds']);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return send(r, 400, 'Missing or Invalid Parameters');
    const token = crypto.randomBytes(24).toString('base64');
    tokens.add(token);
    return send(r, 200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
  }
  if (q.method !== 'GET') return send(r, 405, 'Method Not Allowed');
  if (!tokens.has(q.headers['x-aws-ec2-metadata-token'])) return send(r, 401, 'Unauthorized');
  const base = '/latest/meta-data/iam/security-credentials/';
  if (q.url === base) return send(r, 200, role);
  if (q.url === base + role) {
    const now = new Date();
    return send(r, 200, JSON.stringify({
      Code: 'Success', LastUpdated: now.toISOString(), Type: 'AWS-HMAC', AccessKeyId: keyId,
      SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', Token: 'fake-session-token',
      Expiration: new Date(now.getTime() + 6 * 3600 * 1000).toISOString(),
    }), { 'content-type': 'application/json' });
  }
  return send(r, 404, 'Not Found');
}).listen(80, '0.0.0.0', () => console.log('ready'));
setTimeout(() => process.exit(0), 120000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** Starts the fake IMDS with `argv` (the node command inside the internet namespace) and waits for it (5 s at most). */
export function startFakeImds(argv: readonly [string, readonly string[]]): Promise<RunningImds> {
  const [cmd, args] = argv;
  const child: ChildProcess = spawn(cmd, [...args, '-e', SERVER, FAKE_IMDS.address, FAKE_IMDS.role, FAKE_IMDS.accessKeyId], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const requests = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as ImdsRequest);
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`fake IMDS not ready after 5 s: ${out}`));
    }, 5_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^ready$/m.test(out)) {
        clearTimeout(timer);
        resolve({ requests, stop });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fake IMDS exited (${code}): ${out}`));
    });
  });
}
