import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runOk } from './host-tools';

/**
 * The fake internet's servers: one node process in the internet namespace answering HTTPS on
 * 443 and plain HTTP on 80 of every address there. Its certificate is issued at test time by a
 * throwaway CA (openssl); clients trust that CA with curl --cacert or NODE_EXTRA_CA_CERTS. The
 * CA only makes the fake servers believable: it has nothing to do with the egress control.
 */

export interface FakeCa {
  /** The CA certificate (PEM), readable by every user. */
  caFile: string;
  /** The server's key and certificate (PEM), for every name and address in `subjectAltNames`. */
  keyFile: string;
  certFile: string;
}

/** Issues a CA and one server certificate for `names` (DNS names) and `addresses` (IP addresses) into `dir`. */
export function makeFakeCa(openssl: string, dir: string, names: readonly string[], addresses: readonly string[]): FakeCa {
  const f = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  runOk(openssl, ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=oc-test fake internet CA']);
  runOk(openssl, ['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=oc-test fake internet']);
  const san = [...names.map((n) => `DNS:${n}`), ...addresses.map((a) => `IP:${a}`)].join(',');
  fs.writeFileSync(f('server.ext'), `subjectAltName=${san}\n`);
  runOk(openssl, ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '1', '-extfile', f('server.ext')]);
  fs.chmodSync(f('ca.pem'), 0o644);
  return { caFile: f('ca.pem'), keyFile: f('server.key'), certFile: f('server.pem') };
}

/**
 * Answers "hello https <local address> <Host>" on 443 and "hello http <local address>" on 80, on
 * 0.0.0.0; prints "ready" once both listen; exits by itself after 600 s (bounded even if the test
 * dies) or when stdin closes.
 */
const SERVER = `
const fs = require('fs'), http = require('http'), https = require('https');
const [key, cert] = process.argv.slice(1);
const hello = (scheme) => (q, r) => r.end('hello ' + scheme + ' ' + q.socket.localAddress + ' ' + (q.headers.host || '') + '\\n');
let up = 0;
const ready = () => { if (++up === 2) console.log('ready'); };
https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, hello('https')).listen(443, '0.0.0.0', ready);
http.createServer(hello('http')).listen(80, '0.0.0.0', ready);
setTimeout(() => process.exit(0), 600000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** Starts the servers with `argv` (the node command inside the internet namespace) and waits for "ready" (5 s at most). */
export function startFakeInternet(argv: readonly [string, readonly string[]], ca: FakeCa): Promise<ChildProcess> {
  const [cmd, args] = argv;
  const child = spawn(cmd, [...args, '-e', SERVER, ca.keyFile, ca.certFile], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fake internet not ready after 5 s: ${out}`)), 5_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fake internet exited (${code}): ${out}`));
    });
  });
}
