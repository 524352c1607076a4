import { keyType, splitAction } from '../catalogue';
import { conditionEntries } from '../conditions';
import { actionsOf, asList, statementsOf } from '../policies';
import type { ReferenceFinding, ReferenceRule } from '../rule';

/**
 * IAM's condition operators by family, and the key types each fits:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * String operators also fit ARN keys (an ARN is a string), and ARN operators
 * fit String keys that hold ARNs: AWS's own CloudWatch Logs key-policy guide
 * tests kms:EncryptionContext:aws:logs:arn (a String key) with ArnEquals/ArnLike
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 * aws:EpochTime is a
 * date that AWS also compares with numeric operators (global condition key reference).
 */
const FAMILIES: readonly { readonly operators: readonly string[]; readonly fits: readonly string[] }[] = [
  { operators: ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'], fits: ['String', 'ARN'] },
  {
    operators: ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'],
    fits: ['Numeric'],
  },
  { operators: ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'], fits: ['Date'] },
  { operators: ['Bool'], fits: ['Bool'] },
  { operators: ['BinaryEquals'], fits: ['Binary'] },
  { operators: ['IpAddress', 'NotIpAddress'], fits: ['IPAddress'] },
  { operators: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'], fits: ['ARN', 'String'] },
  // Null fits every key type: misfit checks it on its own.
];

const NUMERIC_DATES = ['aws:epochtime'];

/** An operator split into set qualifier, base operator and IfExists. */
export function parseOperator(operator: string) {
  const m = /^(ForAnyValue:|ForAllValues:)?(.*?)(IfExists)?$/.exec(operator)!;
  const base = m[2]!;
  const family = FAMILIES.find((f) => f.operators.includes(base));
  return { qualifier: m[1], base, ifExists: m[3] !== undefined, family };
}

// A JSON boolean reads as its text; numbers and null never read as true or false (objects are left out before).
const isBoolText = (v: unknown) => /^(true|false)$/i.test(String(v));
const isNumberText = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)));

/** Why the operator does not fit the key or its values, or undefined when it does. */
export function misfit(operator: string, key: string, value: unknown, type: string | undefined): string | undefined {
  const { qualifier, base, ifExists, family } = parseOperator(operator);
  const values = asList(value).filter((v) => typeof v !== 'object' || v === null);
  if (base === 'Null') {
    if (ifExists || qualifier) return `${operator}: Null takes neither IfExists nor a set qualifier`;
    return values.every(isBoolText) ? undefined : `Null on ${key} needs "true" or "false", found ${JSON.stringify(value)}`;
  }
  if (!family) return `${operator} is not an IAM condition operator`;
  if (base === 'Bool' && !values.every(isBoolText)) return `Bool on ${key} needs "true" or "false", found ${JSON.stringify(value)}`;
  if (family.fits.includes('Numeric') && !values.every(isNumberText)) return `${operator} on ${key} needs numbers, found ${JSON.stringify(value)}`;
  if (!type) return undefined; // IAMReference-ConditionKey reports an undocumented key
  const multi = type.startsWith('ArrayOf');
  const single = type.replace(/^ArrayOf/, '');
  if (multi && !qualifier) return `${key} is multivalued (${type}) in AWS's reference: use ForAnyValue: or ForAllValues: with ${operator}`;
  if (!multi && qualifier) return `${key} is single-valued (${type}) in AWS's reference: drop the set qualifier ${qualifier}`;
  const fits = family.fits.includes(single) || (family.fits.includes('Numeric') && NUMERIC_DATES.includes(key.toLowerCase()));
  if (!fits) {
    const fitting = FAMILIES.filter((f) => f.fits.includes(single)).flatMap((f) => f.operators);
    return `${base} does not fit ${key}, whose type is ${type} in AWS's reference: use ${fitting.join(', ') || 'Null'}${multi ? ' (with a set qualifier)' : ''}`;
  }
  return undefined;
}

/** Every condition operator fits its key's type (and, where cheap, its values). */
export const ConditionOperatorFits: ReferenceRule = {
  id: 'ConditionOperator',
  info: 'A condition operator does not fit the type of the key it tests.',
  explanation:
    'An operator of the wrong type (a string operator on a Bool key, a single-value operator on a multivalued key, a set qualifier on a single-valued key) ' +
    'does not test what it says. Key types come from AWS\'s service authorization reference and global condition key reference.',
  check: (node) => {
    const findings: ReferenceFinding[] = [];
    for (const s of statementsOf(node)) {
      const services = [...actionsOf(s.body, 'Action'), ...actionsOf(s.body, 'NotAction')].flatMap((a) => splitAction(a)?.service ?? []);
      for (const c of conditionEntries(s.body)) {
        const why = misfit(c.operator, c.key, c.value, keyType(c.key, services));
        if (why) findings.push({ id: `${c.operator} on ${c.key}`, message: `${s.label}: ${why}` });
      }
    }
    return findings;
  },
};
