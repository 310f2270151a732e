/**
 * The managers named by an API server's apply conflict (409), in upstream wording:
 * `Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas`, or with
 * several, `conflicts with "a" using apps/v1:\n- .spec.replicas`. Empty when the message names none.
 */
export function conflictingManagers(message: string): string[] {
  const managers = new Set<string>();
  for (const match of message.matchAll(/conflicts? with "([^"]*)"/g)) managers.add(match[1]!);
  return [...managers];
}

/** Whether a conflict may be forced: every manager is on the takeover list, or the policy forces all. */
export function mayForce(managers: readonly string[], takeover: readonly string[], forceConflicts: boolean): boolean {
  return forceConflicts || (managers.length > 0 && managers.every((m) => takeover.includes(m)));
}
