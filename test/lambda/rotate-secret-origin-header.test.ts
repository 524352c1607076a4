import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { scanHeader, withHeaderValue } from '../../lambda/rotate-secret/origin-header';

// The pure halves of the origin-verify header rotation: which origins send the
// header (any case), which of them are stale, and the copy with the new value.

const origin = (Id: string, headers?: { HeaderName?: string; HeaderValue?: string }[]) => ({
  Id,
  DomainName: `${Id}.example.internal`,
  ...(headers ? { CustomHeaders: { Quantity: headers.length, Items: headers as { HeaderName: string; HeaderValue: string }[] } } : {}),
});
const config = (...origins: ReturnType<typeof origin>[]) => ({ Origins: { Quantity: origins.length, Items: origins } }) as unknown as DistributionConfig;

test('an origin is stale when any copy of the header has another value, matched in any case', () => {
  const c = config(
    origin('vpc', [{ HeaderName: 'X-Origin-Verify', HeaderValue: 'new' }, { HeaderName: 'x-origin-verify', HeaderValue: 'old' }]),
    origin('fresh', [{ HeaderName: 'x-origin-verify', HeaderValue: 'new' }]),
    origin('plain'),
    origin('other', [{ HeaderName: 'x-other', HeaderValue: 'old' }, { HeaderValue: 'nameless' }]),
  );
  expect(scanHeader(c, 'x-origin-verify', 'new')).toEqual({ withHeader: ['vpc', 'fresh'], stale: ['vpc'] });
});

test('a config without origins sends nothing', () => {
  expect(scanHeader({} as DistributionConfig, 'x-origin-verify', 'new')).toEqual({ withHeader: [], stale: [] });
});

test('the copy sets every copy of the header, in any case; everything else is as it was, and the input is untouched', () => {
  const c = config(
    origin('vpc', [{ HeaderName: 'X-Origin-Verify', HeaderValue: 'old' }, { HeaderName: 'x-other', HeaderValue: 'keep' }]),
    origin('plain'),
  );
  const before = structuredClone(c);
  expect(withHeaderValue(c, 'x-origin-verify', 'new')).toEqual(
    config(origin('vpc', [{ HeaderName: 'X-Origin-Verify', HeaderValue: 'new' }, { HeaderName: 'x-other', HeaderValue: 'keep' }]), origin('plain')),
  );
  expect(c).toEqual(before);
  expect(withHeaderValue({} as DistributionConfig, 'x-origin-verify', 'new')).toEqual({});
});
