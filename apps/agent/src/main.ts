import { NestFactory } from '@nestjs/core';
import { createJsonLogger } from '@flotilla/observability';
import { AgentModule } from './agent.module.js';
import { AgentRuntime } from './agent-runtime.js';
import { AgentConfigError, loadAgentConfig, type AgentConfig } from './config/agent-config.js';
import { AgentMetricsRecorder } from './metrics/agent-metrics.recorder.js';

/** Exit codes: 0 stopped cleanly, 1 failed at run time, 2 unusable configuration. */
async function main(): Promise<void> {
  let config: AgentConfig;
  try {
    config = loadAgentConfig(process.env);
  } catch (error) {
    if (!(error instanceof AgentConfigError)) throw error;
    process.stderr.write(`flotilla agent: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createJsonLogger(config.logLevel, 'Agent');
  const metrics = new AgentMetricsRecorder();
  let runtime: AgentRuntime;
  try {
    runtime = await AgentRuntime.start(
      config,
      { log: (m) => logger.log(m, 'AgentConnection'), warn: (m) => logger.warn(m, 'AgentConnection'), error: (m) => logger.error(m, 'AgentConnection') },
      (m) => logger.warn(m),
      metrics,
    );
  } catch (error) {
    logger.fatal(`the agent could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  const app = await NestFactory.create(AgentModule.forRoot(metrics), { logger, abortOnError: false });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.log(`${signal}: shutting down`);
    await runtime.stop();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  try {
    await app.listen(config.httpPort, config.bindAddress);
  } catch (error) {
    logger.fatal(`cannot listen on ${config.bindAddress}:${config.httpPort} (FLOTILLA_AGENT_HTTP_PORT): ${(error as Error).message}`);
    await runtime.stop();
    process.exit(1);
  }
  logger.log(`agent ready: probes on http://${config.bindAddress}:${config.httpPort}/healthz`);
}

await main();
