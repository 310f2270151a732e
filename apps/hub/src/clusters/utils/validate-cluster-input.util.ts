import { DNS_1123_LABEL, labelKeyProblem, labelValueProblem } from '@flotilla/render';
import { ClusterException, ClusterExceptionCode } from '../cluster.exception.js';

const MAX_LABELS = 64;
const MAX_VARS_BYTES = 64 * 1024;

/** A cluster name: a DNS-1123 label of at most 63 characters (it appears in labels and hostnames). */
export function validateClusterName(name: string): string {
  if (name.length === 0 || name.length > 63 || !DNS_1123_LABEL.test(name)) {
    throw new ClusterException(
      ClusterExceptionCode.Invalid,
      `name "${name.slice(0, 80)}": must be a DNS-1123 label (lower-case letters, digits and "-", at most 63, starting and ending alphanumeric)`,
    );
  }
  return name;
}

/** Labels as Kubernetes accepts them, each key once. */
export function validateClusterLabels(pairs: readonly { key: string; value: string }[]): Record<string, string> {
  if (pairs.length > MAX_LABELS) throw new ClusterException(ClusterExceptionCode.Invalid, `labels: at most ${MAX_LABELS}, got ${pairs.length}`);
  const labels: Record<string, string> = {};
  for (const { key, value } of pairs) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) throw new ClusterException(ClusterExceptionCode.Invalid, `labels: ${problem}`);
    if (Object.hasOwn(labels, key)) throw new ClusterException(ClusterExceptionCode.Invalid, `labels: key "${key}" given twice`);
    labels[key] = value;
  }
  return labels;
}

/** Variables templates may read: a JSON object of bounded size. */
export function validateClusterVars(vars: unknown): Record<string, unknown> {
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) {
    throw new ClusterException(ClusterExceptionCode.Invalid, 'vars: expected a JSON object');
  }
  const size = Buffer.byteLength(JSON.stringify(vars));
  if (size > MAX_VARS_BYTES) throw new ClusterException(ClusterExceptionCode.Invalid, `vars: ${size} bytes is over the limit of ${MAX_VARS_BYTES}`);
  return vars as Record<string, unknown>;
}
