/**
 * The write probe (npm run verify --write-probes): writes one small object
 * under `verify-probes/` to each audit bucket, reads the retention S3 applied
 * to that version (the bucket's default), and tries to delete that version:
 * S3 must refuse (AccessDenied; Object Lock: COMPLIANCE refuses everyone,
 * GOVERNANCE everyone who does not send the bypass header, and the probe does
 * not send it). The probe stays in the bucket until its retention ends: it is
 * locked, which is the point.
 *
 * The bucket policy lets only the log-delivery services and the break-glass
 * role write (and delete, where Object Lock allows): run the probe with the
 * break-glass role's credentials, or the write is refused by the policy and
 * the probe proves nothing about the lock. The delete is then refused by
 * Object Lock alone (the policy allows break-glass), so the refusal is the
 * lock's.
 */
import { randomUUID } from 'crypto';
import { DeleteObjectCommand, GetObjectRetentionCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describeError } from '../verify/run-checks';
import { result, type LiveCheck } from '../verify/live-check';
import { auditBuckets, s3ErrorName } from './live-buckets';

/** Where the probes go in each audit bucket. */
export const PROBE_PREFIX = 'verify-probes/';

export const auditWriteProbe: LiveCheck = {
  id: 'audit.write-probe',
  control: 's3-object-locked',
  title: 'A probe object written to each audit bucket is locked: deleting its version is refused',
  concern: 'audit',
  daily: false,
  needs: 'write-probes',
  iam: ['s3:PutObject', 's3:GetObjectRetention', 's3:DeleteObjectVersion'],
  run: async (ctx) =>
    Promise.all(
      (await auditBuckets(ctx)).map(async (b) => {
        const s3 = ctx.client(S3Client, b.region);
        const key = `${PROBE_PREFIX}${ctx.options.now.toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.txt`;
        const where = `s3://${b.name}/${key}`;
        let versionId: string | undefined;
        try {
          // Object Lock buckets refuse a PutObject without Content-MD5 or an x-amz-checksum-* header.
          const put = await s3.send(
            new PutObjectCommand({ Bucket: b.name, Key: key, Body: `npm run verify --write-probes of ${ctx.name} at ${ctx.options.now.toISOString()}\n`, ContentType: 'text/plain', ChecksumAlgorithm: 'SHA256' }),
          );
          versionId = put.VersionId;
        } catch (e) {
          const hint = s3ErrorName(e) === 'AccessDenied' ? ' (the bucket policy lets only log delivery and the break-glass role write: run --write-probes with the break-glass role)' : '';
          return result(auditWriteProbe, 'fail', where, `PutObject refused: ${describeError(e)}${hint}; expected the probe written`);
        }
        if (!versionId) return result(auditWriteProbe, 'fail', where, 'PutObject returned no VersionId: the bucket is not versioned; expected a versioned, object-locked bucket');
        let retention = 'no retention';
        let mode: string | undefined;
        try {
          const r = (await s3.send(new GetObjectRetentionCommand({ Bucket: b.name, Key: key, VersionId: versionId }))).Retention;
          mode = r?.Mode;
          if (r) retention = `${r.Mode} until ${r.RetainUntilDate?.toISOString()}`;
        } catch (e) {
          retention = `no retention (${s3ErrorName(e)})`;
        }
        const lockMode = ctx.settings.audit.lockMode;
        try {
          await s3.send(new DeleteObjectCommand({ Bucket: b.name, Key: key, VersionId: versionId }));
        } catch (e) {
          if (s3ErrorName(e) === 'AccessDenied') {
            const seen = `version ${versionId} ${retention}; DeleteObject refused (${describeError(e)})`;
            // Refused without the lock (a policy): the refusal proves the policy, not Object Lock.
            if (mode !== lockMode) return result(auditWriteProbe, 'fail', where, `${seen}; expected the version locked ${lockMode} by the bucket's default retention`);
            return result(auditWriteProbe, 'pass', where, `${seen}; the probe stays until its retention ends`);
          }
          throw e;
        }
        return result(auditWriteProbe, 'fail', where, `version ${versionId} ${retention}; DeleteObject of the version succeeded: the probe is gone; expected AccessDenied (Object Lock)`);
      }),
    ),
};
