import { z } from 'zod';
import { LOG_LEVELS, type FlotillaLogLevel } from '@flotilla/observability';

/** The agent's configuration, read once from the environment at start-up. */
export interface AgentConfig {
  readonly httpPort: number;
  readonly bindAddress: string;
  readonly logLevel: FlotillaLogLevel;
}

/** Why the agent's environment is unusable; every problem names its variable. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

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
});

export function loadAgentConfig(env: NodeJS.ProcessEnv): AgentConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new AgentConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  return {
    httpPort: parsed.data.FLOTILLA_AGENT_HTTP_PORT,
    bindAddress: parsed.data.FLOTILLA_AGENT_BIND_ADDRESS,
    logLevel: parsed.data.FLOTILLA_LOG_LEVEL,
  };
}
