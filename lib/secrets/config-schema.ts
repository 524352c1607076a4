import { z } from 'zod';
import { breakGlassRoleSchema } from '../access/config-schema';

/** An IAM role name (no path): what `arn:aws:iam::<account>:role/<name>` ends in. */
const ROLE_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;

export const breakGlassSchema = z
  .strictObject({
    roleName: z
      .string({ error: 'an IAM role name, e.g. openclaw-break-glass' })
      .regex(ROLE_NAME, { error: 'an IAM role name (1-64 letters, digits or +=,.@_-; no path), e.g. openclaw-break-glass' })
      .describe(
        'Name of the IAM role, in this deployment\'s account, that operators assume for break-glass. Besides the gateway host ' +
          '(and the rotation function of a rotated secret) it is the only principal the secrets\' resource policies let read or ' +
          'write secret values: `npm run secrets:set` needs it. Create it outside this blueprint, with an MFA-required trust policy (docs/secrets.md, "Resource policies and break-glass"), or set createRole.enabled.',
      ),
    createRole: breakGlassRoleSchema,
  })
  .describe('The break-glass administrator of this client x environment.');

export const secretsSchema = z
  .strictObject({
    rotationDays: z
      .number({ error: 'a whole number of days from 1 to 90' })
      .int()
      .min(1, { error: 'at least 1 day' })
      .max(90, { error: 'at most 90 days (AWS Foundational Security Best Practices SecretsManager.4): a secret that rarely rotates is a standing credential' })
      .describe(
        'Days between scheduled rotations of the generated secrets: the gateway token (the gateway restarts, clients reconnect) ' +
          'and the origin-verify header (no downtime: nginx accepts the old and new value during the overlap). Agent secrets ' +
          '(third-party API keys and bot tokens) are rotated by operators with `npm run secrets:set`.',
      ),
  })
  .describe('Secrets Manager secrets of this client x environment (one per agent, the gateway token, the origin-verify header).');
