/**
 * The three settings an archive bucket needs, each checked over the settings resources that
 * belong to it: a sentence naming the setting, its value and what is required, or undefined when
 * compliant. A value unknown in preview counts as compliant (checked again during `pulumi up`).
 */
import type { PolicyResource } from '@pulumi/policy';
import { isKnown, known } from './known';
import { show } from './show';

export const PUBLIC_ACCESS_FLAGS = [
  'blockPublicAcls',
  'blockPublicPolicy',
  'ignorePublicAcls',
  'restrictPublicBuckets',
];

type EncryptionRule = { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string } };

export function encryptionProblem(configs: readonly PolicyResource[]): string | undefined {
  const encrypted = configs.some((r) => {
    const algorithms = known(() =>
      ((r.props.rules ?? []) as EncryptionRule[]).map(
        (rule) => rule.applyServerSideEncryptionByDefault?.sseAlgorithm,
      ),
    );
    return !isKnown(algorithms) || algorithms.some((a) => typeof a === 'string' && a !== '');
  });
  if (encrypted) return undefined;
  return configs.length === 0
    ? 'default encryption is not set (no BucketServerSideEncryptionConfiguration for it); required: ' +
        'one whose rules set applyServerSideEncryptionByDefault.sseAlgorithm (AES256 or aws:kms)'
    : 'its BucketServerSideEncryptionConfiguration sets no applyServerSideEncryptionByDefault.sseAlgorithm; ' +
        'required: AES256 or aws:kms';
}

export function versioningProblem(versionings: readonly PolicyResource[]): string | undefined {
  const statuses = versionings.map((r) =>
    known(() => (r.props.versioningConfiguration as { status?: string } | undefined)?.status),
  );
  if (statuses.some((s) => !isKnown(s) || s === 'Enabled')) return undefined;
  return versionings.length === 0
    ? 'versioning is not set (no BucketVersioning for it); required: a BucketVersioning with ' +
        'versioningConfiguration.status "Enabled"'
    : `versioningConfiguration.status is ${statuses.map((s) => show(s)).join(', ')}; required: "Enabled"`;
}

export function publicAccessProblem(blocks: readonly PolicyResource[]): string | undefined {
  const flagProblems = blocks.map((r) =>
    PUBLIC_ACCESS_FLAGS.flatMap((flag) => {
      const value = known(() => r.props[flag] as unknown);
      return isKnown(value) && value !== true ? [`${flag} is ${show(value)}`] : [];
    }),
  );
  if (flagProblems.some((p) => p.length === 0)) return undefined;
  const allFlags = `${PUBLIC_ACCESS_FLAGS.join(', ')} all true`;
  return blocks.length === 0
    ? `public access is not blocked (no BucketPublicAccessBlock for it); required: one with ${allFlags}`
    : `its BucketPublicAccessBlock has ${(flagProblems[0] ?? []).join(', ')}; required: ${allFlags}`;
}
