import type { BundleReport } from './reconciler.types.js';

/**
 * The dependsOn gate (design.md §4, §6): a bundle waits until every bundle it depends on is Applied
 * and Healthy on this cluster. Returns the reason to wait (`WaitingForDependency: …`), or undefined to go.
 */
export function dependencyGate(dependsOn: readonly string[], reportOf: (bundle: string) => BundleReport | undefined): string | undefined {
  const pending = dependsOn.flatMap((name) => {
    const report = reportOf(name);
    if (!report) return [`${name} (not on this cluster)`];
    if (report.phase !== 'Applied' || report.health !== 'Healthy') return [`${name} (${report.phase}, ${report.health})`];
    return [];
  });
  return pending.length ? `WaitingForDependency: ${pending.join(', ')}` : undefined;
}
