import type { FieldDriftModel, ResourceStatusModel } from '../dtos/resource-status.model.js';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The resources column of bundle_statuses (as the ingester stored an agent's report) as API models; anything
 * malformed in it becomes empty text rather than a failed request, because the column holds what an agent sent.
 */
export function toResourceStatuses(stored: unknown): ResourceStatusModel[] {
  if (!Array.isArray(stored)) return [];
  return stored
    .filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    .map((item) => {
      const ref = `${text(item.group) ? `${text(item.group)}/` : ''}${text(item.version)} ${text(item.kind)} ${text(item.namespace) ? `${text(item.namespace)}/` : ''}${text(item.name)}`;
      const drift: FieldDriftModel[] = (Array.isArray(item.drift) ? item.drift : [])
        .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
        .map((d) => ({ resource: ref, path: text(d.path), live: text(d.liveJson), desired: text(d.desiredJson), manager: text(d.manager) }));
      return {
        group: text(item.group),
        version: text(item.version),
        kind: text(item.kind),
        namespace: text(item.namespace),
        name: text(item.name),
        change: text(item.change) || 'UNSPECIFIED',
        health: text(item.health) || 'UNKNOWN',
        message: text(item.message),
        drift,
      };
    });
}
