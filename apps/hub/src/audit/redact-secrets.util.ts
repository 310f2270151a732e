export const REDACTED = '[REDACTED]';

const SECRET_KEY = /pass(word|phrase)|secret|token|credential|private_?key|api_?key|ssh_?key|authorization|bearer|client_?key/i;

/**
 * A deep copy of `value` fit for the audit log: values under secret-sounding keys are replaced, and
 * so are the `data`/`stringData` of anything shaped like a Kubernetes Secret. Cycles and depth are
 * bounded so hostile input cannot blow the stack.
 */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32 || seen.has(value)) return '[TRUNCATED]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
  const record = value as Record<string, unknown>;
  const isKubernetesSecret = record.kind === 'Secret';
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    if (SECRET_KEY.test(key) || (isKubernetesSecret && (key === 'data' || key === 'stringData'))) {
      out[key] = item === null || item === undefined ? item : REDACTED;
    } else {
      out[key] = redactSecrets(item, depth + 1, seen);
    }
  }
  return out;
}
