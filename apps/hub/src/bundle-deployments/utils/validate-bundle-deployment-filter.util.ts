import { InvalidInputException } from '../../common/invalid-input.exception.js';
import type { BundleDeploymentFilter } from '../bundle-deployment-rows.query.js';

const PHASES = ['WAITING', 'APPLYING', 'APPLIED', 'FAILED', 'REMOVING', 'REMOVED', 'SUSPENDED', 'NONE'];
const HEALTHS = ['HEALTHY', 'PROGRESSING', 'DEGRADED', 'UNKNOWN', 'NONE'];
const MAX_NAME = 63;
const MAX_REASON = 200;

/** The bundleDeployments filters as given, checked: a bad value names its argument and the values allowed. */
export function validateBundleDeploymentFilter(input: {
  bundle?: string | null;
  cluster?: string | null;
  phase?: string | null;
  health?: string | null;
  drifted?: boolean | null;
  reason?: string | null;
}): BundleDeploymentFilter {
  const name = (argument: string, value: string | null | undefined): string | undefined => {
    if (value === null || value === undefined) return undefined;
    if (value.length > MAX_NAME) throw new InvalidInputException(argument, `must be a name of at most ${MAX_NAME} characters`);
    return value;
  };
  const oneOf = (argument: string, value: string | null | undefined, allowed: string[]): string | undefined => {
    if (value === null || value === undefined) return undefined;
    const upper = value.toUpperCase();
    if (!allowed.includes(upper)) throw new InvalidInputException(argument, `must be one of ${allowed.join(', ')}, got "${value.slice(0, 40)}"`);
    return upper;
  };
  if (input.reason && input.reason.length > MAX_REASON) throw new InvalidInputException('reason', `must be at most ${MAX_REASON} characters`);
  return {
    bundle: name('bundle', input.bundle),
    cluster: name('cluster', input.cluster),
    phase: oneOf('phase', input.phase, PHASES),
    health: oneOf('health', input.health, HEALTHS),
    drifted: input.drifted ?? undefined,
    reason: input.reason || undefined,
  };
}
