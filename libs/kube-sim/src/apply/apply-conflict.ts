import { formatPath, type FieldPath } from '../fields/field-path.js';
import { applyConflict, type KubeApiError } from '../store/api-status.error.js';
import { describeManager, managerIdentity, type ManagerFields } from './managed-fields.js';

/** One field another manager owns with a different value than the applier wants. */
export interface FieldConflict {
  readonly manager: ManagerFields;
  readonly path: FieldPath;
}

/**
 * The 409 upstream returns for apply conflicts (`NewConflictError`): one cause per field, and the
 * message `Apply failed with 1 conflict: conflict with "m": .path` or, for several, grouped by
 * manager in sorted identity order: `Apply failed with N conflicts: conflicts with "m":\n- .a\n- .b`.
 */
export function applyConflictError(conflicts: readonly FieldConflict[]): KubeApiError {
  const causes = conflicts.map((c) => ({
    type: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.manager)}`,
    field: formatPath(c.path),
  }));
  return applyConflict(conflictMessage(conflicts), causes);
}

export function conflictMessage(conflicts: readonly FieldConflict[]): string {
  if (conflicts.length === 1) {
    const only = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${describeManager(only.manager)}: ${formatPath(only.path)}`;
  }
  const byManager = new Map<string, FieldConflict[]>();
  for (const c of conflicts) {
    const id = managerIdentity(c.manager);
    byManager.set(id, [...(byManager.get(id) ?? []), c]);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const group = byManager.get(id)!;
    lines.push(`conflicts with ${describeManager(group[0]!.manager)}:`);
    for (const c of group) lines.push(`- ${formatPath(c.path)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
