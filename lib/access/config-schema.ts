import { z } from 'zod';

/** An IAM principal ARN that may assume the break-glass role: an account root, a role or a user. */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[A-Za-z0-9+=,.@_/-]+|user\/[A-Za-z0-9+=,.@_/-]+)$/;

export const breakGlassRoleSchema = z
  .strictObject({
    enabled: z
      .boolean({ error: 'true or false' })
      .describe(
        'Create the break-glass role (named breakGlass.roleName) in the gateway stack, with the <name>-operator policies attached and ' +
          'a trust policy that requires MFA. Hardened default: false (the operator policies are shipped either way; an administrator ' +
          'attaches them to a role of their own). The role name must be unique in the account: give each client x environment its own breakGlass.roleName.',
      ),
    trustedPrincipalArns: z
      .array(
        z
          .string({ error: 'an IAM principal ARN, e.g. arn:aws:iam::123456789012:root' })
          .regex(PRINCIPAL_ARN, { error: 'an IAM principal ARN: arn:aws:iam::<12 digits>:root, :role/<name> or :user/<name>' }),
        { error: 'a list of IAM principal ARNs (use [] when the role is not created)' },
      )
      .describe('Who may assume the role, with MFA: account roots, roles or users (IAM ARNs). Lists replace, they do not merge.'),
    maxSessionHours: z
      .number({ error: 'a whole number of hours from 1 to 12' })
      .int({ error: 'a whole number of hours from 1 to 12' })
      .min(1, { error: 'at least 1 hour (IAM\'s minimum)' })
      .max(12, { error: 'at most 12 hours (IAM\'s maximum)' })
      .describe('The role\'s maximum session duration in hours (IAM MaxSessionDuration, 1-12). Hardened default: 1.'),
  })
  .refine((r) => !r.enabled || r.trustedPrincipalArns.length > 0, {
    path: ['trustedPrincipalArns'],
    error: 'at least one principal ARN when enabled is true: nobody could assume the role',
  })
  .describe('The break-glass role itself, created by the blueprint when enabled (docs/break-glass.md, "The break-glass role").');

export type BreakGlassRoleConfig = z.infer<typeof breakGlassRoleSchema>;
