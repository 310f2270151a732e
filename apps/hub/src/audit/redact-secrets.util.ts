export const REDACTED = '[REDACTED]';

const SECRET_KEY = /pass(word|phrase)|secret|token|credential|private_?key|api_?key|ssh_?key|authorization|bearer|client_?key/i;
const URL_KEY = /url$/i;
const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A deep copy of `value` fit for the audit log: values under secret-sounding keys are replaced, and
 * so are the `data`/`stringData` of anything shaped like a Kubernetes Secret and the user info and
 * query values of URLs (`https://user:token@host/…`). Cycles and depth are bounded so hostile
 * input cannot blow the stack.
 */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return ABSOLUTE_URL.test(value) ? redactUrl(value) : value;
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
    } else if (URL_KEY.test(key) && typeof item === 'string') {
      out[key] = redactUrl(item);
    } else {
      out[key] = redactSecrets(item, depth + 1, seen);
    }
  }
  return out;
}

const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ssh:', 'git:', 'ftp:', 'ws:', 'wss:', 'file:']);
const SCP_LIKE = /^[\w.-]+@[\w.-]+:[^@]*$/; // git@host:org/repo names a user, not a secret

/**
 * A URL without the credentials it may carry: user info and query values. Text that is not a
 * network URL is kept only when it holds no "@" (or is a scp-like Git address).
 */
export function redactUrl(raw: string): string {
  if (SCP_LIKE.test(raw)) return raw;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !NETWORK_SCHEMES.has(url.protocol)) return raw.includes('@') ? REDACTED : raw;
  if (!url.username && !url.password && !url.search) return raw; // nothing to hide: keep it as the person wrote it
  if (url.username || url.password) {
    url.username = REDACTED;
    url.password = '';
  }
  for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, REDACTED);
  return url.toString();
}
