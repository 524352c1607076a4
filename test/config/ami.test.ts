import { ConfigError } from '../../lib/config/errors';
import { AL2023_ARM64_AMI_PARAMETER, AMI_ID_PATTERN, amiIdSchema, currentAmiCommand, pinnedAmiId } from '../../lib/config/ami';

// The AMI ID pattern, schema and lookup command, and the pinned value constructs
// read (checkAmis: test/config/validators/amis.test.ts).

const AMI = 'ami-0123456789abcdef0';

test('the AMI ID pattern: ami- and 8 or 17 lowercase hex digits, anchored', () => {
  expect(['ami-01234567', AMI].map((s) => AMI_ID_PATTERN.test(s))).toEqual([true, true]);
  expect(['ami-0123456', 'ami-012345678', 'ami-0123456789abcdef', 'ami-0123456789abcdef01', 'ami-0123456G', 'xami-01234567', 'ami-01234567 '].map((s) => AMI_ID_PATTERN.test(s))).toEqual(
    [false, false, false, false, false, false, false],
  );
});

test('the AMI ID schema: optional, a string matching the pattern, each refusal with its own message', () => {
  const messages = (input: unknown) => amiIdSchema.safeParse(input).error?.issues.map((i) => i.message);
  expect([undefined, 'ami-01234567', AMI].map(messages)).toEqual([undefined, undefined, undefined]);
  expect(messages(1)).toEqual(['an AMI ID such as ami-0123456789abcdef0, quoted or not']);
  expect(messages(null)).toEqual(['an AMI ID such as ami-0123456789abcdef0, quoted or not']);
  expect(messages('ami-0123456789ABCDEF0')).toEqual(['an AMI ID: "ami-" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0']);
});

test('the command that prints the current AMI reads AWS\'s public SSM parameter in the given region', () => {
  expect(AL2023_ARM64_AMI_PARAMETER).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
  expect(currentAmiCommand('ap-south-1')).toBe(
    'aws ssm get-parameter --region ap-south-1 --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 --query Parameter.Value --output text',
  );
});

test('pinnedAmiId returns the value, or throws a ConfigError at the key', () => {
  expect(pinnedAmiId(AMI, 'instance.amiId')).toBe(AMI);
  expect(() => pinnedAmiId(undefined, 'instance.amiId')).toThrow(ConfigError);
  try {
    pinnedAmiId(undefined, 'network.natAmiId');
  } catch (e) {
    expect((e as ConfigError).problems).toEqual([{ path: 'network.natAmiId', message: 'required: the pinned AMI ID (checkAmis reports where to set it)' }]);
  }
});
