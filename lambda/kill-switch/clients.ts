/**
 * SDK clients, made on first use and kept for the warm container's life.
 * Each SDK package is loaded on first use too (a dynamic import, which esbuild
 * bundles as a lazy require): module init stays a few milliseconds, and an
 * invocation loads only the services it calls (an ignored message none, a
 * status EC2 and SSM). Constructing a client makes no network call; SDK
 * default retries apply to every call.
 *
 *   EC2               the instances' region (INSTANCE_REGION)
 *   SNS               the alert topic's region (from its ARN)
 *   CloudFront        us-east-1 (its API is global, signed there)
 *   IAM               us-east-1 (global; the commercial partition's endpoint)
 *   SSM, CloudWatch   the function's own region
 */
import type * as CloudFront from '@aws-sdk/client-cloudfront';
import type * as CloudWatch from '@aws-sdk/client-cloudwatch';
import type * as IAM from '@aws-sdk/client-iam';
import type * as SSM from '@aws-sdk/client-ssm';

export interface Service<S, C> {
  /** The SDK package: its command classes. */
  readonly sdk: S;
  readonly client: C;
}

/** `region` '' is the function's own region. */
function service<S, C>(load: () => Promise<S>, make: (sdk: S, region: string) => C): (region: string) => Promise<Service<S, C>> {
  let loading: Promise<S> | undefined;
  const made = new Map<string, C>();
  return async (region) => {
    const sdk = await (loading ??= load());
    let client = made.get(region);
    if (client === undefined) {
      client = make(sdk, region);
      made.set(region, client);
    }
    return { sdk, client };
  };
}

const config = (region: string) => (region === '' ? {} : { region });

export const ec2 = service(() => import('@aws-sdk/client-ec2'), (sdk, region) => new sdk.EC2Client(config(region)));
export const sns = service(() => import('@aws-sdk/client-sns'), (sdk, region) => new sdk.SNSClient(config(region)));
const cloudfrontIn = service(() => import('@aws-sdk/client-cloudfront'), (sdk, region) => new sdk.CloudFrontClient(config(region)));
const iamIn = service(() => import('@aws-sdk/client-iam'), (sdk, region) => new sdk.IAMClient(config(region)));
const ssmIn = service(() => import('@aws-sdk/client-ssm'), (sdk, region) => new sdk.SSMClient(config(region)));
const cloudwatchIn = service(() => import('@aws-sdk/client-cloudwatch'), (sdk, region) => new sdk.CloudWatchClient(config(region)));

export const cloudfront = (): Promise<Service<typeof CloudFront, CloudFront.CloudFrontClient>> => cloudfrontIn('us-east-1');
export const iam = (): Promise<Service<typeof IAM, IAM.IAMClient>> => iamIn('us-east-1');
export const ssm = (): Promise<Service<typeof SSM, SSM.SSMClient>> => ssmIn('');
export const cloudwatch = (): Promise<Service<typeof CloudWatch, CloudWatch.CloudWatchClient>> => cloudwatchIn('');
