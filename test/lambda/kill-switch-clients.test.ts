/**
 * The kill switch's SDK clients (lambda/kill-switch/clients.ts): one per service
 * and region, made on first use and kept for the warm container's life (a new
 * client per call would redo credential resolution and TLS on every step), each
 * in the region its API is served from.
 */
import { cloudfront, cloudwatch, ec2, iam, sns, ssm } from '../../lambda/kill-switch/clients';

const FUNCTION_REGION = 'ap-southeast-2';
const saved = process.env.AWS_REGION;
beforeAll(() => {
  process.env.AWS_REGION = FUNCTION_REGION;
});
afterAll(() => {
  if (saved === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = saved;
});

describe('kill-switch clients', () => {
  it('EC2 and SNS: one client per region, kept and reused; another region gets its own', async () => {
    for (const service of [ec2, sns]) {
      const first = await service('eu-west-1');
      const again = await service('eu-west-1');
      expect(again.client).toBe(first.client);
      expect(again.sdk).toBe(first.sdk);
      const other = await service('us-west-2');
      expect(other.client).not.toBe(first.client);
      expect(await first.client.config.region()).toBe('eu-west-1');
      expect(await other.client.config.region()).toBe('us-west-2');
    }
  });

  it("region '' is the function's own region (AWS_REGION), a client of its own", async () => {
    const own = await ec2('');
    expect(await own.client.config.region()).toBe(FUNCTION_REGION);
    expect((await ec2('')).client).toBe(own.client);
    expect(own.client).not.toBe((await ec2(FUNCTION_REGION)).client);
  });

  it('CloudFront and IAM are global APIs signed in us-east-1; SSM and CloudWatch use the function region; each kept', async () => {
    const cases = [
      [cloudfront, 'us-east-1'],
      [iam, 'us-east-1'],
      [ssm, FUNCTION_REGION],
      [cloudwatch, FUNCTION_REGION],
    ] as const;
    for (const [service, region] of cases) {
      const first = await service();
      expect(await first.client.config.region()).toBe(region);
      expect((await service()).client).toBe(first.client);
    }
  });
});
