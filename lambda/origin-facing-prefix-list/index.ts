/**
 * CloudFormation custom resource: the ID of an AWS-managed prefix list, looked
 * up by name in the stack's region at deploy time (the ID differs per region).
 * One read-only call, ec2:DescribeManagedPrefixLists; Delete does nothing.
 * Responds to CloudFormation itself (no provider framework): a PUT of the
 * result to the pre-signed ResponseURL.
 */
import { DescribeManagedPrefixListsCommand, EC2Client } from '@aws-sdk/client-ec2';
import * as https from 'https';

export interface PrefixListEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: { readonly PrefixListName?: string };
}

export interface PrefixListResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: { readonly PrefixListId: string };
}

type Describe = (name: string) => Promise<{ PrefixListId?: string; PrefixListName?: string; OwnerId?: string }[]>;

const describeWithSdk: Describe = async (name) => {
  const out = await new EC2Client({}).send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: [name] }] }));
  return out.PrefixLists ?? [];
};

/** The response for one event; never throws (a failure is a FAILED response with the reason). */
export async function respondTo(event: PrefixListEvent, describe: Describe = describeWithSdk): Promise<PrefixListResponse> {
  const base = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
  if (event.RequestType === 'Delete') return { ...base, Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId ?? event.LogicalResourceId };
  const name = event.ResourceProperties.PrefixListName;
  try {
    if (!name) throw new Error('PrefixListName is missing');
    // AWS-managed lists only: a customer-managed list of the same name must never be picked.
    const lists = (await describe(name)).filter((l) => l.PrefixListName === name && l.OwnerId === 'AWS' && l.PrefixListId);
    if (lists.length !== 1) throw new Error(`expected exactly one AWS-managed prefix list named ${name}, found ${lists.length}`);
    const id = lists[0]!.PrefixListId!;
    return { ...base, Status: 'SUCCESS', PhysicalResourceId: id, Data: { PrefixListId: id } };
  } catch (e) {
    const reason = `prefix list lookup failed: ${e instanceof Error ? e.message : String(e)}`;
    console.error(reason);
    // A failed Create has no physical ID yet; keep the old one on Update so CloudFormation does not replace.
    return { ...base, Status: 'FAILED', Reason: reason, PhysicalResourceId: event.PhysicalResourceId ?? `failed-${event.RequestId}` };
  }
}

function put(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`response PUT returned ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function handler(event: PrefixListEvent): Promise<void> {
  const response = await respondTo(event);
  console.log(JSON.stringify({ requestType: event.RequestType, status: response.Status, prefixListId: response.Data?.PrefixListId ?? null }));
  await put(event.ResponseURL, JSON.stringify(response));
}
