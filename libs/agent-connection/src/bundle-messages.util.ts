import { createHash } from 'node:crypto';
import { DeletionPolicy, type Desired, type KnownBundle, type Remove } from '@flotilla/protocol';
import { applyPolicySchema, DNS_1123_LABEL, type KubeObject } from '@flotilla/manifest';
import type { PersistedBundle, PersistedDesired, PersistedRemove } from './agent-state.store.js';
import type { DesiredBundle, RemovedBundle } from './reconciler.js';

/** What to do with a Desired or Remove: accept (persist, ack, hand over), re-ack a duplicate, or reject. */
export type Verdict<T> = { readonly action: 'accept'; readonly record: T } | { readonly action: 'duplicate' } | { readonly action: 'reject'; readonly reason: string };

/**
 * Checks a Desired before anything is persisted: the bundle name is a DNS-1123 label, the content
 * is what the hash says (sha256 of the exact bytes of content_json) and parses, and the generation
 * is newer than what the agent holds. The same generation with the same hash again is a redelivery
 * (delivery is at-least-once): it is acknowledged again but not re-applied.
 */
export function verifyDesired(message: Desired, held: PersistedBundle | undefined): Verdict<PersistedDesired> {
  if (!isBundleName(message.bundle)) return { action: 'reject', reason: `"${message.bundle}" is not a valid bundle name` };
  const actual = `sha256:${createHash('sha256').update(message.contentJson, 'utf8').digest('hex')}`;
  if (actual !== message.hash) return { action: 'reject', reason: `content hash ${actual} does not match the announced ${message.hash}` };
  const order = compareGeneration(message.generation, held);
  if (order === 'same' && held?.kind === 'desired' && held.hash === message.hash) return { action: 'duplicate' };
  if (order !== 'newer') return { action: 'reject', reason: `generation ${message.generation} is not newer than the held generation ${held?.generation}` };
  const record: PersistedDesired = {
    kind: 'desired',
    bundle: message.bundle,
    generation: message.generation.toString(),
    hash: message.hash,
    revision: message.revision,
    contentJson: message.contentJson,
    dependsOn: [...message.dependsOn],
    suspend: message.suspend,
  };
  try {
    verifiedContent.set(record, parseContent(record.contentJson));
  } catch (error) {
    return { action: 'reject', reason: (error as Error).message };
  }
  return { action: 'accept', record };
}

type ParsedContent = ReturnType<typeof parseContent>;

/**
 * What verifyDesired parsed, for the one toDesiredBundle of the same record that follows: a fleet
 * of agents in one process (the simulator) would otherwise parse and validate every Desired twice.
 * Taken once, so a later hand-over (a resume) parses afresh and gets objects nobody has touched.
 */
const verifiedContent = new WeakMap<PersistedDesired, ParsedContent>();

/** Checks a Remove the same way: valid name, known deletion policy, newer generation (or a redelivery). */
export function verifyRemove(message: Remove, held: PersistedBundle | undefined): Verdict<PersistedRemove> {
  if (!isBundleName(message.bundle)) return { action: 'reject', reason: `"${message.bundle}" is not a valid bundle name` };
  const deletionPolicy = message.deletionPolicy === DeletionPolicy.DELETION_POLICY_DELETE ? 'delete' : message.deletionPolicy === DeletionPolicy.DELETION_POLICY_ORPHAN ? 'orphan' : undefined;
  if (!deletionPolicy) return { action: 'reject', reason: `deletion policy ${message.deletionPolicy} is not delete or orphan` };
  const order = compareGeneration(message.generation, held);
  if (order === 'same' && held?.kind === 'removed') return { action: 'duplicate' };
  if (order !== 'newer') return { action: 'reject', reason: `generation ${message.generation} is not newer than the held generation ${held?.generation}` };
  return { action: 'accept', record: { kind: 'removed', bundle: message.bundle, generation: message.generation.toString(), deletionPolicy } };
}

/** The reconciler's view of a persisted Desired; throws when the content does not parse (verified before persisting, so only on a foreign edit). */
export function toDesiredBundle(record: PersistedDesired): DesiredBundle {
  const verified = verifiedContent.get(record);
  verifiedContent.delete(record);
  const { manifests, policy, namespace } = verified ?? parseContent(record.contentJson);
  return {
    bundle: record.bundle,
    generation: BigInt(record.generation),
    hash: record.hash,
    revision: record.revision,
    manifests,
    policy,
    dependsOn: [...record.dependsOn],
    suspend: record.suspend,
    ...(namespace ? { namespace } : {}),
  };
}

export function toRemovedBundle(record: PersistedRemove): RemovedBundle {
  return { bundle: record.bundle, generation: BigInt(record.generation), deletionPolicy: record.deletionPolicy };
}

/** The Hello entry for what the agent holds: a removal has no hash. */
export function toKnownBundle(record: PersistedBundle): KnownBundle {
  return { bundle: record.bundle, generation: BigInt(record.generation), hash: record.kind === 'desired' ? record.hash : '', removed: record.kind === 'removed' };
}

/** The hashed content of a Desired: manifests, apply policy, and the bundle's default namespace when it sets one. */
function parseContent(contentJson: string): { manifests: KubeObject[]; policy: DesiredBundle['policy']; namespace?: string } {
  let content: unknown;
  try {
    content = JSON.parse(contentJson);
  } catch {
    throw new Error('content_json is not JSON');
  }
  const { manifests, policy, namespace } = (content ?? {}) as { manifests?: unknown; policy?: unknown; namespace?: unknown };
  if (!Array.isArray(manifests)) throw new Error('content_json has no manifests array');
  if (namespace !== undefined && (typeof namespace !== 'string' || !isBundleName(namespace))) {
    throw new Error(`content_json has an invalid default namespace ${JSON.stringify(namespace)?.slice(0, 80)}: expected a DNS-1123 label`);
  }
  manifests.forEach((manifest: unknown, index) => {
    const object = manifest as Partial<KubeObject> | null;
    if (typeof object?.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
      throw new Error(`manifest ${index} has no apiVersion, kind and metadata.name`);
    }
  });
  const parsed = applyPolicySchema.safeParse(policy ?? {});
  if (!parsed.success) throw new Error(`content_json has an invalid policy: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return { manifests: manifests as KubeObject[], policy: parsed.data, ...(namespace ? { namespace } : {}) };
}

/** A DNS-1123 label of at most 63 characters (bundle names and namespaces alike). */
function isBundleName(name: string): boolean {
  return name.length <= 63 && DNS_1123_LABEL.test(name);
}

function compareGeneration(generation: bigint, held: PersistedBundle | undefined): 'newer' | 'same' | 'older' {
  if (!held) return 'newer';
  const current = BigInt(held.generation);
  return generation > current ? 'newer' : generation === current ? 'same' : 'older';
}
