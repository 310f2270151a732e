import { resolve } from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS, type FlotillaLogLevel } from '@flotilla/observability';

/** The agent's configuration, read once from the environment at start-up. */
export interface AgentConfig {
  readonly httpPort: number;
  readonly bindAddress: string;
  readonly logLevel: FlotillaLogLevel;
  /** host:port of the hub's agent stream. */
  readonly hubAddress: string;
  /** host:port of the hub's registration listener. */
  readonly registrationAddress: string;
  /** PEM file of the CA that signed the hub's certificates. */
  readonly hubCaFile: string;
  /** File holding the bootstrap token (needed only until the agent is registered). */
  readonly bootstrapTokenFile: string | undefined;
  /** A name in the hub certificate, when the address is not one (an IP, a port-forward). */
  readonly tlsServerName: string | undefined;
  /** Where the agent keeps its key, certificate and last desired state, encrypted. */
  readonly stateDir: string;
  /** Key for the state directory (`id:base64`); generated into it when unset. */
  readonly stateKey: string | undefined;
  /** A kubeconfig file; in-cluster configuration when unset. */
  readonly kubeconfig: string | undefined;
  readonly kubernetesVersion: string;
  /** The agent's own namespace: its inventory and (in `secret` mode) its identity live there. */
  readonly namespace: string;
  /**
   * Where the key and certificate live: `secret` (a Secret in `namespace`, surviving a pod moved
   * to another node; the default in-cluster) or `state-dir` (the default with a kubeconfig).
   */
  readonly identityStore: 'secret' | 'state-dir';
}

/** Why the agent's environment is unusable; every problem names its variable. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const address = z
  .string({ message: 'required' })
  .trim()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port');
const file = z.string().trim().min(1, 'must not be empty');

const schema = z.object({
  FLOTILLA_AGENT_HTTP_PORT: z
    .string()
    .default('8081')
    .refine((raw) => /^\d+$/.test(raw) && Number(raw) <= 65_535, { message: 'expected a port number from 0 to 65535' })
    .transform(Number),
  FLOTILLA_AGENT_BIND_ADDRESS: z.string().trim().min(1).default('0.0.0.0'),
  FLOTILLA_LOG_LEVEL: z
    .string()
    .default('log')
    .transform((raw) => (raw.trim().toLowerCase() === 'info' ? 'log' : raw.trim().toLowerCase()))
    .pipe(z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')} (or info)` })),
  FLOTILLA_HUB_ADDRESS: address,
  FLOTILLA_REGISTRATION_ADDRESS: address,
  FLOTILLA_HUB_CA_FILE: file,
  FLOTILLA_BOOTSTRAP_TOKEN_FILE: file.optional(),
  FLOTILLA_TLS_SERVER_NAME: z.string().trim().regex(/^[A-Za-z0-9.-]+$/, 'expected a host name').optional(),
  FLOTILLA_AGENT_STATE_DIR: file.default('/var/lib/flotilla-agent'),
  FLOTILLA_AGENT_STATE_KEY: z.string().trim().min(1).optional(),
  FLOTILLA_KUBECONFIG: file.optional(),
  FLOTILLA_KUBERNETES_VERSION: z.string().trim().default('unknown'),
  FLOTILLA_AGENT_NAMESPACE: z
    .string()
    .trim()
    .default('flotilla-system')
    .pipe(z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a namespace name (a DNS-1123 label)')),
  FLOTILLA_AGENT_IDENTITY_STORE: z.enum(['secret', 'state-dir'], { message: 'expected "secret" or "state-dir"' }).optional(),
});

export function loadAgentConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): AgentConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new AgentConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  const value = parsed.data;
  return {
    httpPort: value.FLOTILLA_AGENT_HTTP_PORT,
    bindAddress: value.FLOTILLA_AGENT_BIND_ADDRESS,
    logLevel: value.FLOTILLA_LOG_LEVEL,
    hubAddress: value.FLOTILLA_HUB_ADDRESS,
    registrationAddress: value.FLOTILLA_REGISTRATION_ADDRESS,
    hubCaFile: resolve(cwd, value.FLOTILLA_HUB_CA_FILE),
    bootstrapTokenFile: value.FLOTILLA_BOOTSTRAP_TOKEN_FILE ? resolve(cwd, value.FLOTILLA_BOOTSTRAP_TOKEN_FILE) : undefined,
    tlsServerName: value.FLOTILLA_TLS_SERVER_NAME,
    stateDir: resolve(cwd, value.FLOTILLA_AGENT_STATE_DIR),
    stateKey: value.FLOTILLA_AGENT_STATE_KEY,
    kubeconfig: value.FLOTILLA_KUBECONFIG ? resolve(cwd, value.FLOTILLA_KUBECONFIG) : undefined,
    kubernetesVersion: value.FLOTILLA_KUBERNETES_VERSION,
    namespace: value.FLOTILLA_AGENT_NAMESPACE,
    identityStore: value.FLOTILLA_AGENT_IDENTITY_STORE ?? (value.FLOTILLA_KUBECONFIG ? 'state-dir' : 'secret'),
  };
}
