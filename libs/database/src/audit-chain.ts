import { createHash } from 'node:crypto';
import { canonicalJson } from '@flotilla/crypto';

/** The fields of an audit record that its hash covers (everything but the id). */
export interface ChainedFields {
  readonly occurredAt: Date;
  readonly actor: string;
  readonly actorTokenId: string | null;
  readonly actorRole: string | null;
  readonly action: string;
  readonly arguments: unknown;
  readonly outcome: string;
  readonly error: string | null;
}

/** The hash before the first record. */
export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/**
 * sha256(previous hash ‖ canonical JSON of the record): each record seals the one before it, so
 * editing, removing or reordering any record changes every hash after it.
 */
export function chainHash(previous: Buffer, record: ChainedFields): Buffer {
  return createHash('sha256')
    .update(previous)
    .update(
      canonicalJson({
        occurredAt: record.occurredAt.toISOString(),
        actor: record.actor,
        actorTokenId: record.actorTokenId,
        actorRole: record.actorRole,
        action: record.action,
        arguments: record.arguments,
        outcome: record.outcome,
        error: record.error,
      }),
    )
    .digest();
}
