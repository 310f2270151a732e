import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { boundedInteger, port } from './env-schema.util.js';

/** How agents register and connect (FLOTILLA_REGISTRATION_*, FLOTILLA_AGENT_*, FLOTILLA_CA_*, FLOTILLA_GRPC_TLS_NAMES). */
export interface AgentsConfig {
  /** Port of the registration listener (server-authenticated TLS); 0 picks a free one. */
  readonly registrationPort: number;
  /** host:port agents dial for the agent stream, written into install manifests. */
  readonly hubAddress: string;
  /** host:port agents dial to register. */
  readonly registrationAddress: string;
  /** Extra names (DNS or IP) for the hub's gRPC certificates. */
  readonly tlsNames: readonly string[];
  readonly certificateTtlMs: number;
  readonly bootstrapTokenTtlMs: number;
  readonly caCertFile: string | undefined;
  readonly caKeyFile: string | undefined;
  readonly agentImage: string;
  /** How often agents send a heartbeat; three missed make a cluster Disconnected. */
  readonly heartbeatIntervalMs: number;
}

const address = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port');

export const agentsConfigShape = {
  FLOTILLA_REGISTRATION_PORT: port(8444),
  FLOTILLA_AGENT_HUB_ADDRESS: address.optional(),
  FLOTILLA_AGENT_REGISTRATION_ADDRESS: address.optional(),
  FLOTILLA_GRPC_TLS_NAMES: z
    .string()
    .default('')
    .transform((raw) => raw.split(',').map((name) => name.trim()).filter(Boolean))
    .refine((names) => names.every((name) => /^[A-Za-z0-9.:-]+$/.test(name)), { message: 'expected comma-separated host names or IP addresses' }),
  FLOTILLA_AGENT_CERT_TTL_S: boundedInteger(86_400, 600, 31_536_000, 'seconds', 1000),
  FLOTILLA_BOOTSTRAP_TOKEN_TTL_S: boundedInteger(86_400, 60, 2_592_000, 'seconds', 1000),
  FLOTILLA_CA_CERT_FILE: z.string().trim().min(1).optional(),
  FLOTILLA_CA_KEY_FILE: z.string().trim().min(1).optional(),
  FLOTILLA_AGENT_IMAGE: z.string().trim().regex(/^[a-z0-9./_:@-]+$/i, 'expected a container image reference').optional(),
  FLOTILLA_AGENT_HEARTBEAT_INTERVAL_MS: boundedInteger(10_000, 100, 600_000, 'milliseconds'),
};

type Parsed = z.output<z.ZodObject<typeof agentsConfigShape>>;

/** Builds the agents section from already-validated variables; problems are pushed, naming the variable. */
export function agentsConfigFrom(value: Parsed, grpcPort: number, version: string, cwd: string, problems: string[]): AgentsConfig {
  if ((value.FLOTILLA_CA_CERT_FILE === undefined) !== (value.FLOTILLA_CA_KEY_FILE === undefined)) {
    problems.push('FLOTILLA_CA_CERT_FILE: set together with FLOTILLA_CA_KEY_FILE (bring both, or neither)');
  }
  if (value.FLOTILLA_REGISTRATION_PORT !== 0 && value.FLOTILLA_REGISTRATION_PORT === grpcPort) {
    problems.push(`FLOTILLA_REGISTRATION_PORT: must differ from FLOTILLA_GRPC_PORT (both are ${grpcPort})`);
  }
  const host = hostname();
  return {
    registrationPort: value.FLOTILLA_REGISTRATION_PORT,
    hubAddress: value.FLOTILLA_AGENT_HUB_ADDRESS ?? `${host}:${grpcPort}`,
    registrationAddress: value.FLOTILLA_AGENT_REGISTRATION_ADDRESS ?? `${host}:${value.FLOTILLA_REGISTRATION_PORT}`,
    tlsNames: value.FLOTILLA_GRPC_TLS_NAMES,
    certificateTtlMs: value.FLOTILLA_AGENT_CERT_TTL_S,
    bootstrapTokenTtlMs: value.FLOTILLA_BOOTSTRAP_TOKEN_TTL_S,
    caCertFile: value.FLOTILLA_CA_CERT_FILE ? resolve(cwd, value.FLOTILLA_CA_CERT_FILE) : undefined,
    caKeyFile: value.FLOTILLA_CA_KEY_FILE ? resolve(cwd, value.FLOTILLA_CA_KEY_FILE) : undefined,
    agentImage: value.FLOTILLA_AGENT_IMAGE ?? `flotilla/agent:${version}`,
    heartbeatIntervalMs: value.FLOTILLA_AGENT_HEARTBEAT_INTERVAL_MS,
  };
}
