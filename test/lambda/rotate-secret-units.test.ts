/**
 * Pure pieces of the rotation function: the origin header scan and edit
 * (origin-header.ts) and the log scrubbing (log.ts).
 */
import { type DistributionConfig } from '@aws-sdk/client-cloudfront';
import { REDACTED, StepLog } from '../../lambda/rotate-secret/log';
import { scanHeader, withHeaderValue } from '../../lambda/rotate-secret/origin-header';
import { isRotationVersion, ROTATION_LABEL } from '../../lambda/rotate-secret/secret-versions';

const config = {
  CallerReference: 'ref',
  Comment: 'c',
  Enabled: true,
  Origins: {
    Quantity: 3,
    Items: [
      { Id: 'a', DomainName: 'a.example', CustomHeaders: { Quantity: 2, Items: [{ HeaderName: 'X-ORIGIN-VERIFY', HeaderValue: 'old' }, { HeaderName: 'x-keep', HeaderValue: 'k' }] } },
      { Id: 'b', DomainName: 'b.example', CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'x-origin-verify', HeaderValue: 'new' }] } },
      { Id: 'c', DomainName: 'c.example' },
    ],
  },
} as DistributionConfig;

describe('scanHeader', () => {
  it('finds the header in any case and lists the origins with another value', () => {
    expect(scanHeader(config, 'x-origin-verify', 'new')).toEqual({ withHeader: ['a', 'b'], stale: ['a'] });
    expect(scanHeader(config, 'X-Origin-Verify', 'old')).toEqual({ withHeader: ['a', 'b'], stale: ['b'] });
  });

  it('names an origin without an Id "?"', () => {
    const nameless = { Origins: { Quantity: 1, Items: [{ DomainName: 'x.example', CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'x-origin-verify', HeaderValue: 'old' }] } }] } } as DistributionConfig;
    expect(scanHeader(nameless, 'x-origin-verify', 'new')).toEqual({ withHeader: ['?'], stale: ['?'] });
  });

  it('finds nothing for a header no origin sends, or a config without origins', () => {
    expect(scanHeader(config, 'x-absent', 'new')).toEqual({ withHeader: [], stale: [] });
    expect(scanHeader({} as DistributionConfig, 'x-origin-verify', 'new')).toEqual({ withHeader: [], stale: [] });
  });
});

describe('isRotationVersion', () => {
  it('is true only for a version carrying the rotation label', () => {
    const versions = { made: ['AWSPENDING', ROTATION_LABEL], test: ['AWSPENDING'], current: ['AWSCURRENT'] };
    expect(['made', 'test', 'current', 'not-a-version'].map((token) => isRotationVersion(versions, token))).toEqual([true, false, false, false]);
  });
});

describe('withHeaderValue', () => {
  it('changes only the header values, in a copy', () => {
    const out = withHeaderValue(config, 'x-origin-verify', 'newer');
    expect(out.Origins!.Items!.map((o) => o.CustomHeaders?.Items)).toEqual([
      [{ HeaderName: 'X-ORIGIN-VERIFY', HeaderValue: 'newer' }, { HeaderName: 'x-keep', HeaderValue: 'k' }],
      [{ HeaderName: 'x-origin-verify', HeaderValue: 'newer' }],
      undefined,
    ]);
    expect({ ...out, Origins: undefined }).toEqual({ ...config, Origins: undefined });
    expect(config.Origins!.Items![0]!.CustomHeaders!.Items![0]!.HeaderValue).toBe('old');
  });
});

describe('StepLog', () => {
  const context = { step: 'setSecret', kind: 'origin-verify', secretArn: 'arn:x', token: 't' };
  let out: string[];

  beforeEach(() => {
    out = [];
    for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void out.push(args.map(String).join(' ')));
  });

  afterEach(() => jest.restoreAllMocks());

  it('writes one JSON line with the context, the outcome and the fields', () => {
    new StepLog(context).info('done', { origins: 2 });
    expect(out.map((l) => JSON.parse(l) as unknown)).toEqual([{ level: 'info', ...context, outcome: 'done', origins: 2 }]);
  });

  it('scrubs registered values from lines, including values JSON would escape, and longest first', () => {
    const log = new StepLog(context);
    log.secret('abc"def\\ghi');
    log.secret('abc');
    log.secret('');
    log.secret(undefined);
    log.warn('w', { error: 'value abc"def\\ghi and abc here' });
    log.error('e', { error: 'abcabc' });
    expect(out.map((l) => (JSON.parse(l) as { error: string }).error)).toEqual([`value ${REDACTED} and ${REDACTED} here`, `${REDACTED}${REDACTED}`]);
    for (const line of out) expect(line).not.toMatch(/abc/);
  });

  it('scrubs a value holding a shorter registered one whole, whatever the order they were registered in', () => {
    // Every custom header value of the distribution is registered: another header's short value can occur inside the secret.
    const secret = 'PendingRotatedValue0123456789abcdefghijklmnopqrs';
    const log = new StepLog(context);
    log.secret('789');
    log.secret('0123456789');
    log.secret(secret);
    log.secret('Rotated');
    log.error('e', { error: `header ${secret} refused` });
    expect((JSON.parse(out[0]!) as { error: string }).error).toBe(`header ${REDACTED} refused`);
    expect(log.scrub(`${secret}|0123456789|789|Rotated`)).toBe([REDACTED, REDACTED, REDACTED, REDACTED].join('|'));
  });

  it('writes info to console.log, warn to console.warn and error to console.error, each with its level', () => {
    const log = new StepLog(context);
    log.info('i');
    log.warn('w');
    log.error('e');
    expect((console.log as jest.Mock).mock.calls.map(([l]) => (JSON.parse(String(l)) as { level: string; outcome: string }).level)).toEqual(['info']);
    expect((console.warn as jest.Mock).mock.calls.map(([l]) => JSON.parse(String(l)) as unknown)).toEqual([{ level: 'warn', ...context, outcome: 'w' }]);
    expect((console.error as jest.Mock).mock.calls.map(([l]) => JSON.parse(String(l)) as unknown)).toEqual([{ level: 'error', ...context, outcome: 'e' }]);
  });

  it('keeps the frames of the stack, each on its line, under the scrubbed first line', () => {
    const log = new StepLog(context);
    log.secret('s3cr3tValue');
    const original = Object.assign(new Error('bad header s3cr3tValue'), { name: 'InvalidArgument' });
    const frames = original.stack!.split('\n').slice(1);
    expect(frames.length).toBeGreaterThan(1);
    expect(log.sanitize(original).stack).toBe([`InvalidArgument: bad header ${REDACTED}`, ...frames].join('\n'));
  });

  it('gives an error without a stack one line', () => {
    const log = new StepLog(context);
    log.secret('s3cr3tValue');
    const original = new Error('bad header s3cr3tValue');
    delete original.stack;
    expect(log.sanitize(original).stack).toBe(`Error: bad header ${REDACTED}`);
  });

  it('sanitizes errors: same name, scrubbed message and stack, no cause', () => {
    const log = new StepLog(context);
    log.secret('s3cr3tValue');
    const original = Object.assign(new Error('bad header s3cr3tValue'), { name: 'InvalidArgument', cause: { value: 's3cr3tValue' }, $response: 's3cr3tValue' });
    const clean = log.sanitize(original);
    expect(clean.name).toBe('InvalidArgument');
    expect(clean.message).toBe(`bad header ${REDACTED}`);
    expect(clean.stack).toMatch(/^InvalidArgument: bad header \[REDACTED\]\n/);
    expect(clean.cause).toBeUndefined();
    expect(JSON.stringify({ ...clean, stack: clean.stack })).not.toContain('s3cr3tValue');
    expect(log.sanitize('plain s3cr3tValue string').message).toBe(`plain ${REDACTED} string`);
  });
});
