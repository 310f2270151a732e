import { PROTOCOL_VERSION } from '@flotilla/protocol';

/** The hub's answer to an agent's protocol version: accepted (and whether it is the older one), or refused with the reason. */
export type ProtocolVerdict = { readonly accepted: true; readonly behind: boolean } | { readonly accepted: false; readonly reason: string };

/**
 * "One version behind" (design.md §5), concretely: a hub at protocol N accepts Hellos of version N
 * and N−1. An N−1 agent speaks the older message set: fields added in N are absent on the wire and
 * decode as their defaults, which the hub reads as "not said" (no capabilities, an unknown
 * Kubernetes version, held bundles without the `removed` flag, statuses without `terminal` and
 * drift). Version 0 is what an agent from before versioning sends — the field absent — so a v1
 * hub accepts it as its N−1. N−2 and older, and anything newer than N, are refused.
 */
export function negotiateProtocol(agentVersion: number, hubVersion: number = PROTOCOL_VERSION): ProtocolVerdict {
  const oldest = Math.max(0, hubVersion - 1);
  if (agentVersion === hubVersion) return { accepted: true, behind: false };
  if (agentVersion === oldest) return { accepted: true, behind: true };
  const why = agentVersion > hubVersion ? 'newer than this hub: upgrade the hub first' : `more than one version behind: upgrade the agent to ${oldest} or later`;
  return { accepted: false, reason: `protocol version ${agentVersion} is not supported (this hub speaks ${oldest}-${hubVersion}); it is ${why}` };
}
