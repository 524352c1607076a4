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
