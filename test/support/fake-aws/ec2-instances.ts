/**
 * EC2 DescribeInstances as a loopback fake answers it (query protocol, XML), applying the
 * request's filters as EC2 does: every filter must match (AND), any of a filter's values
 * (OR). A filter this fake does not know is refused, as EC2 refuses an unknown filter
 * name, so the code cannot rely on a filter the fake ignores. As EC2, it answers a request
 * without MaxResults whole, and pages one with MaxResults (5 to 1000, else
 * InvalidParameterValue) with NextToken; `pageSize` makes its pages smaller than MaxResults
 * (MaxResults is a most, not an exact count), so paging can be seen with few instances.
 */
import type { FakeAnswer } from './server';

/** An instance as EC2 knows it: its id, the stack tag CloudFormation gave it, its state. */
export interface FakeInstance {
  readonly id: string;
  readonly stack: string;
  readonly state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
}

/** The filters of a DescribeInstances query body: name and values, in order. */
export function describeInstancesFilters(body: string): { name: string; values: string[] }[] {
  const q = new URLSearchParams(body);
  const filters: { name: string; values: string[] }[] = [];
  for (let n = 1; q.has(`Filter.${n}.Name`); n++) {
    const values: string[] = [];
    for (let m = 1; q.has(`Filter.${n}.Value.${m}`); m++) values.push(q.get(`Filter.${n}.Value.${m}`)!);
    filters.push({ name: q.get(`Filter.${n}.Name`)!, values });
  }
  return filters;
}

const STACK_TAG_FILTER = 'tag:aws:cloudformation:stack-name';
const STATE_CODE = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 } as const;

/** EC2's answer to a DescribeInstances query `body` over `all` (one reservation per instance). */
export function describeInstances(body: string, all: readonly FakeInstance[], pageSize = Infinity): FakeAnswer {
  const filters = describeInstancesFilters(body);
  const valueOf = (i: FakeInstance, name: string) => (name === STACK_TAG_FILTER ? i.stack : name === 'instance-state-name' ? i.state : undefined);
  const unknown = filters.find((f) => ![STACK_TAG_FILTER, 'instance-state-name'].includes(f.name));
  if (unknown) return { status: 400, headers: { 'content-type': 'text/xml' }, body: `<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>The filter '${unknown.name}' is invalid</Message></Error></Errors><RequestID>r1</RequestID></Response>` };
  const match = all.filter((i) => filters.every((f) => f.values.includes(valueOf(i, f.name)!)));
  const q = new URLSearchParams(body);
  const maxResults = q.has('MaxResults') ? Number(q.get('MaxResults')) : undefined;
  if (maxResults !== undefined && !(Number.isInteger(maxResults) && maxResults >= 5 && maxResults <= 1000)) {
    return { status: 400, headers: { 'content-type': 'text/xml' }, body: `<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>Value ( ${q.get('MaxResults')} ) for parameter maxResults is invalid. Expecting a value greater than 5.</Message></Error></Errors><RequestID>r1</RequestID></Response>` };
  }
  const start = Number(q.get('NextToken') ?? '0');
  const page = maxResults === undefined ? match : match.slice(start, start + Math.min(maxResults, pageSize));
  const next = start + page.length < match.length ? `<nextToken>${start + page.length}</nextToken>` : '';
  const items = page.map((i) => `<item><reservationId>r-${i.id}</reservationId><ownerId>111122223333</ownerId><instancesSet><item><instanceId>${i.id}</instanceId><instanceState><code>${STATE_CODE[i.state]}</code><name>${i.state}</name></instanceState></item></instancesSet></item>`);
  return { status: 200, headers: { 'content-type': 'text/xml' }, body: `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r1</requestId><reservationSet>${items.join('')}</reservationSet>${next}</DescribeInstancesResponse>` };
}
