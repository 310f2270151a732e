import { SourceCredentialsKindModel, type SourceModel } from './dtos/source.model.js';
import type { SourceEntity } from './source.entity.js';
import { webhookPathOf } from './webhook-path.util.js';

/** The API view of a source: everything but its secrets. */
export function toSourceModel(source: SourceEntity, pollIntervalSeconds: number): SourceModel {
  return {
    id: source.id,
    name: source.name,
    url: source.url,
    ref: source.ref,
    path: source.path,
    pollIntervalSeconds,
    credentialsKind: source.credentialsKind as SourceCredentialsKindModel | null,
    webhookPath: webhookPathOf(source.id),
    lastFetchedSha: source.lastFetchedSha,
    lastFetchedAt: source.lastFetchedAt,
    lastError: source.lastError,
    lastErrorAt: source.lastErrorAt,
    createdAt: source.createdAt,
    updatedAt: source.updatedAt,
  };
}
