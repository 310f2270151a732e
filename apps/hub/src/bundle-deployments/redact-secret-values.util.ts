import { createHash } from 'node:crypto';

/**
 * Manifests fit to show a person: the values of every Secret's `data` and `stringData` replaced
 * by a short hash of the value (so a change is visible, the value is not). Other objects are kept.
 */
export function redactSecretValues(manifests: readonly unknown[]): unknown[] {
  return manifests.map((manifest) => {
    const object = manifest as { kind?: unknown; data?: unknown; stringData?: unknown };
    if (object?.kind !== 'Secret') return manifest;
    const redacted: Record<string, unknown> = { ...(manifest as Record<string, unknown>) };
    for (const field of ['data', 'stringData'] as const) {
      const values = object[field];
      if (values && typeof values === 'object') {
        redacted[field] = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, `(redacted ${digest(String(value))})`]));
      }
    }
    return redacted;
  });
}

function digest(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
}
