/**
 * What a live check is given: the deployment's templates and settings, AWS
 * clients per region, physical IDs of template resources, an HTTP client and
 * a memo so that checks share one expensive call (the host facts).
 */
import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import type { DeployedStack, TemplateRef } from './deployed-stacks';
import { findResources, type StackRole } from './deployed-stacks';
import type { VerifySettings } from './settings';

/** An AWS SDK v3 client class (its constructor takes `{ region }`). */
export type ClientClass<T> = new (config: { region: string }) => T;

/** A minimal HTTP answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends one HTTP request; the default uses the global fetch with a 10 s timeout. */
export type HttpRequester = (url: string, init?: { readonly method?: string; readonly headers?: Readonly<Record<string, string>> }) => Promise<HttpAnswer>;

/** The IAM actions the context itself calls for any check (physicalId, stackResources). */
export const CONTEXT_IAM_ACTIONS = ['cloudformation:ListStackResources'] as const;

/** Thrown when a template resource has no live counterpart (not deployed, deleted, or failed). */
export class NotDeployedError extends Error {
  override readonly name = 'NotDeployedError';
}

export interface VerifyOptions {
  /** Write a probe object to each audit bucket and try to delete it (the delete must be refused). @default false */
  readonly writeProbes: boolean;
  /** "Now", for recency checks (log export age, alarm warm-up). */
  readonly now: Date;
}

export interface VerifyContextProps {
  /** `<prefix>-<client>-<env>`. */
  readonly name: string;
  readonly account: string;
  /** The deployment's main region (the edge stack is in us-east-1). */
  readonly region: string;
  readonly stacks: readonly DeployedStack[];
  readonly settings: VerifySettings;
  readonly options: VerifyOptions;
  /** @default the global fetch, 10 s timeout, no redirects followed */
  readonly http?: HttpRequester;
}

export const defaultHttp: HttpRequester = async (url, init) => {
  const res = await fetch(url, { method: init?.method ?? 'GET', headers: init?.headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, body: await res.text() };
};

export class VerifyContext {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly stacks: readonly DeployedStack[];
  readonly settings: VerifySettings;
  readonly options: VerifyOptions;
  readonly http: HttpRequester;
  private readonly clients = new Map<string, unknown>();
  private readonly memos = new Map<string, Promise<unknown>>();

  constructor(props: VerifyContextProps) {
    this.name = props.name;
    this.account = props.account;
    this.region = props.region;
    this.stacks = props.stacks;
    this.settings = props.settings;
    this.options = props.options;
    this.http = props.http ?? defaultHttp;
  }

  /** One client of `cls` per region, created on first use. */
  client<T>(cls: ClientClass<T>, region: string = this.region): T {
    const key = `${cls.name}@${region}`;
    if (!this.clients.has(key)) this.clients.set(key, new cls({ region }));
    return this.clients.get(key) as T;
  }

  /** The stack of `role`. */
  stack(role: StackRole): DeployedStack {
    const s = this.stacks.find((x) => x.role === role);
    if (!s) throw new NotDeployedError(`the deployment has no ${role} stack (${this.name}-${role})`);
    return s;
  }

  /** Every template resource of `type` (in the stack of `role`, when given). */
  find(type: string, role?: StackRole): TemplateRef[] {
    return findResources(this.stacks, type, role);
  }

  /** Runs `fn` once per key; later calls get the same promise. */
  memo<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (!this.memos.has(key)) this.memos.set(key, fn());
    return this.memos.get(key) as Promise<T>;
  }

  /** The live resources of a stack, logical ID -> { physical ID, status }, from CloudFormation. */
  stackResources(stack: DeployedStack): Promise<ReadonlyMap<string, { readonly physicalId: string; readonly status: string }>> {
    return this.memo(`stack-resources:${stack.stackName}`, async () => {
      const cfn = this.client(CloudFormationClient, stack.region);
      const out = new Map<string, { physicalId: string; status: string }>();
      for await (const page of paginateListStackResources({ client: cfn }, { StackName: stack.stackName })) {
        for (const r of page.StackResourceSummaries ?? []) {
          if (r.LogicalResourceId) out.set(r.LogicalResourceId, { physicalId: r.PhysicalResourceId ?? '', status: r.ResourceStatus ?? '' });
        }
      }
      return out;
    });
  }

  /** The physical ID of a template resource; NotDeployedError when the stack has none for it. */
  async physicalId(ref: TemplateRef): Promise<string> {
    const live = (await this.stackResources(ref.stack)).get(ref.logicalId);
    if (!live || !live.physicalId) throw new NotDeployedError(`${ref.stack.stackName} has no live ${ref.resource.Type} ${ref.logicalId}`);
    if (live.status.endsWith('_FAILED') || live.status.startsWith('DELETE_')) {
      throw new NotDeployedError(`${ref.stack.stackName} ${ref.logicalId} (${live.physicalId}) is ${live.status}`);
    }
    return live.physicalId;
  }
}
