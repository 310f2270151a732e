/** Where the connection reports what happens; debug is optional and chatty. */
export interface AgentLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

/** Warnings and errors to stderr, the rest dropped: a quiet default for libraries. */
export const stderrLogger: AgentLogger = {
  log: () => undefined,
  warn: (message) => process.stderr.write(`${JSON.stringify({ level: 'warn', context: 'AgentConnection', message })}\n`),
  error: (message) => process.stderr.write(`${JSON.stringify({ level: 'error', context: 'AgentConnection', message })}\n`),
};
