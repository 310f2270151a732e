import { createHash } from 'node:crypto';
import { DeletionPolicy, type Desired } from '@flotilla/protocol';
import { canonicalJson } from '@flotilla/crypto';
import { applyPolicySchema } from '@flotilla/manifest';
import type { PersistedBundle, PersistedDesired } from './agent-state.store.js';
import { toDesiredBundle, toKnownBundle, verifyDesired, verifyRemove } from './bundle-messages.util.js';

const policy = applyPolicySchema.parse({});
const manifests = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } }];

function desired(generation: bigint, overrides: Partial<Desired> = {}, content: unknown = { manifests, policy }): Desired {
  const contentJson = canonicalJson(content);
  return {
    bundle: 'web',
    generation,
    hash: `sha256:${createHash('sha256').update(contentJson).digest('hex')}`,
    revision: 'abc123',
    contentJson,
    dependsOn: ['crds'],
    suspend: false,
    ...overrides,
  };
}

const held = (generation: string, hash: string): PersistedBundle => ({ ...verifiedRecord(desired(BigInt(generation))), hash });
function verifiedRecord(message: Desired): PersistedDesired {
  const verdict = verifyDesired(message, undefined);
  if (verdict.action !== 'accept') throw new Error('fixture does not verify');
  return verdict.record;
}

describe('verifyDesired', () => {
  it('accepts a first Desired and keeps it exactly as received', () => {
    const message = desired(7n);
    const verdict = verifyDesired(message, undefined);
    expect(verdict).toEqual({
      action: 'accept',
      record: { kind: 'desired', bundle: 'web', generation: '7', hash: message.hash, revision: 'abc123', contentJson: message.contentJson, dependsOn: ['crds'], suspend: false },
    });
  });

  it.each([
    ['a tampered hash', () => desired(2n, { hash: `sha256:${'0'.repeat(64)}` }), undefined, 'does not match'],
    ['tampered content', () => ({ ...desired(2n), contentJson: desired(2n).contentJson.replace('"1"', '"2"') }), undefined, 'does not match'],
    ['an older generation', () => desired(2n), held('3', 'sha256:x'), 'not newer'],
    ['the same generation with another hash', () => desired(3n), held('3', 'sha256:other'), 'not newer'],
    ['a bundle name that is not a DNS label', () => desired(1n, { bundle: '../etc' }), undefined, 'not a valid bundle name'],
    ['content without manifests', () => desired(1n, {}, { policy }), undefined, 'no manifests'],
    ['a manifest without a name', () => desired(1n, {}, { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }], policy }), undefined, 'manifest 0'],
    ['an invalid policy', () => desired(1n, {}, { manifests, policy: { drift: 'sometimes' } }), undefined, 'invalid policy'],
    ['a default namespace that is not a DNS label', () => desired(1n, {}, { manifests, policy, namespace: 'Kube System' }), undefined, 'invalid default namespace'],
    ['a default namespace that is not a string', () => desired(1n, {}, { manifests, policy, namespace: { name: 'web' } }), undefined, 'invalid default namespace'],
  ])('rejects %s', (_label, make, current, reason) => {
    const verdict = verifyDesired(make(), current);
    expect(verdict.action).toBe('reject');
    expect(verdict.action === 'reject' && verdict.reason).toContain(reason);
  });

  it('treats the same generation with the same hash as a redelivery', () => {
    const message = desired(3n);
    expect(verifyDesired(message, held('3', message.hash))).toEqual({ action: 'duplicate' });
  });

  it('accepts a newer generation, 64-bit ones included', () => {
    expect(verifyDesired(desired(2n ** 63n), held(String(2n ** 62n), 'sha256:x')).action).toBe('accept');
  });

  it('gives the reconciler parsed manifests and the policy', () => {
    const bundle = toDesiredBundle(verifiedRecord(desired(5n)));
    expect(bundle).toMatchObject({ bundle: 'web', generation: 5n, manifests, policy, dependsOn: ['crds'], suspend: false });
    expect(bundle.namespace).toBeUndefined();
  });

  it('hands over what verification parsed once; a later hand-over of the same record parses afresh', () => {
    const record = verifiedRecord(desired(7n));
    const first = toDesiredBundle(record);
    first.manifests[0]!.metadata.name = 'changed by the reconciler';
    const again = toDesiredBundle(record);
    expect(again.manifests).toEqual(manifests);
    expect(again.manifests[0]).not.toBe(first.manifests[0]);
  });

  it("gives the reconciler the bundle's default namespace, which the hash covers", () => {
    const message = desired(6n, {}, { manifests, policy, namespace: 'web' });
    expect(message.hash).not.toBe(desired(6n).hash);
    expect(toDesiredBundle(verifiedRecord(message))).toMatchObject({ namespace: 'web', manifests });
  });
});

describe('verifyRemove', () => {
  it('accepts a newer removal as a tombstone, and a redelivery as a duplicate', () => {
    const verdict = verifyRemove({ bundle: 'web', generation: 4n, deletionPolicy: DeletionPolicy.DELETION_POLICY_ORPHAN }, held('3', 'sha256:x'));
    expect(verdict).toEqual({ action: 'accept', record: { kind: 'removed', bundle: 'web', generation: '4', deletionPolicy: 'orphan' } });
    const tombstone = verdict.action === 'accept' ? verdict.record : undefined;
    expect(verifyRemove({ bundle: 'web', generation: 4n, deletionPolicy: DeletionPolicy.DELETION_POLICY_ORPHAN }, tombstone).action).toBe('duplicate');
    expect(toKnownBundle(tombstone!)).toEqual({ bundle: 'web', generation: 4n, hash: '', removed: true });
  });

  it.each([
    ['an older generation', 2n, DeletionPolicy.DELETION_POLICY_DELETE],
    ['an unspecified deletion policy', 9n, DeletionPolicy.DELETION_POLICY_UNSPECIFIED],
  ])('rejects %s', (_label, generation, deletionPolicy) => {
    expect(verifyRemove({ bundle: 'web', generation, deletionPolicy }, held('3', 'sha256:x')).action).toBe('reject');
  });
});
