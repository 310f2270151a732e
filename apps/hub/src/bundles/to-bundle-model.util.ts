import type { BundleRow } from '../graphql/request-loaders.js';
import type { BundleModel } from './dtos/bundle.model.js';

/** The API model of a stored bundle: its good spec as `spec`, removal as a flag. */
export function toBundleModel(row: BundleRow): BundleModel {
  return {
    id: row.id,
    sourceId: row.source_id,
    name: row.name,
    path: row.path,
    goodRevision: row.good_revision,
    spec: row.good_spec,
    error: row.error,
    errorRevision: row.error_revision,
    removed: row.removed_at !== null,
    updatedAt: row.updated_at,
  };
}
