/**
 * Keys and secrets: KMS customer-managed keys, their rotated key material and
 * requests; Secrets Manager secrets and the API calls that read them.
 */
import type { Ledger } from './ledger';
import { num } from './template-index';
import { fmtQty, listRefs, plural } from './wording';

function priceKeys(l: Ledger) {
  const keys = l.of('AWS::KMS::Key');
  if (keys.length === 0) return;
  l.add('kms-key', 'Keys and secrets', 'KMS customer-managed keys', keys.length, 'kmsKeyMonth', listRefs(keys));
  const horizonDays = (l.u.horizonMonths * 365) / 12;
  const rotations = keys.map((k) => {
    if (k.props.EnableKeyRotation !== true) return 0;
    const period = num(k.props.RotationPeriodInDays) ?? 365;
    return Math.min(2, Math.floor(horizonDays / period));
  });
  const billed = rotations.reduce((s, n) => s + n, 0);
  const periods = [...new Set(keys.map((k) => num(k.props.RotationPeriodInDays) ?? 365))].join('/');
  l.add(
    'kms-rotation',
    'Keys and secrets',
    'KMS rotated key material',
    billed,
    'kmsRotationMonth',
    `automatic rotation every ${periods} days: ${billed} rotations by month ${l.u.horizonMonths} (usage assumption horizonMonths), each of a key's first two adds $1/month for good`,
  );
  l.add('kms-requests', 'Keys and secrets', 'KMS requests', l.u.kmsRequests / 10_000, 'kmsRequests10k', `usage assumption kmsRequests (${fmtQty(l.u.kmsRequests)}); the account's 20,000 free requests are not applied`);
}

function priceSecrets(l: Ledger) {
  const secrets = l.of('AWS::SecretsManager::Secret');
  if (secrets.length === 0) return;
  l.add('secret', 'Keys and secrets', 'Secrets Manager secrets', secrets.length, 'secretMonth', listRefs(secrets, 8));
  const calls = secrets.length * l.u.secretReadsPerSecret;
  l.add('secrets-api', 'Keys and secrets', 'Secrets Manager API calls', calls / 10_000, 'secretsApi10k', `${plural(secrets.length, 'secret')} x usage assumption secretReadsPerSecret (${fmtQty(calls)} calls)`);
}

/** Every key and secret line. */
export function priceKeysAndSecrets(l: Ledger) {
  priceKeys(l);
  priceSecrets(l);
}
