/** Agent state that cannot be used: unreadable, corrupt, or sealed with a key this agent does not hold. Names the file (or Secret); the agent stops rather than dropping state. */
export class AgentStateError extends Error {
  override readonly name = 'AgentStateError';

  constructor(
    /** The state file's path, or "Secret <namespace>/<name>". */
    readonly file: string,
    message: string,
  ) {
    super(`agent state ${file}: ${message}`);
  }
}

/** The hub refused the registration for good (bad, used or expired token, bad CSR, unsupported protocol): retrying cannot help. */
export class RegistrationRefusedError extends Error {
  override readonly name = 'RegistrationRefusedError';

  constructor(
    /** The gRPC status name, e.g. UNAUTHENTICATED. */
    readonly code: string,
    readonly details: string,
  ) {
    super(`the hub refused the registration (${code}): ${details}`);
  }
}

/** The connection was stopped while it was still registering. */
export class AgentStoppedError extends Error {
  override readonly name = 'AgentStoppedError';

  constructor() {
    super('the agent connection was stopped');
  }
}
