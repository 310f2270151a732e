import { ConsoleLogger, type LogLevel } from '@nestjs/common';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type FlotillaLogLevel = (typeof LOG_LEVELS)[number];

/** One JSON object per line on stdout/stderr, with every level up to `level` enabled. */
export function createJsonLogger(level: FlotillaLogLevel, context?: string): ConsoleLogger {
  const enabled = LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1) as LogLevel[];
  const logger = new ConsoleLogger({ json: true, logLevels: [...enabled, 'fatal'], colors: false });
  if (context) logger.setContext(context);
  return logger;
}
