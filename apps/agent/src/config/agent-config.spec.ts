import { AgentConfigError, loadAgentConfig } from './agent-config.js';

describe('loadAgentConfig', () => {
  it('defaults', () => {
    expect(loadAgentConfig({})).toEqual({ httpPort: 8081, bindAddress: '0.0.0.0', logLevel: 'log' });
  });

  it.each([
    [{ FLOTILLA_AGENT_HTTP_PORT: '99999' }, 'FLOTILLA_AGENT_HTTP_PORT: expected a port number'],
    [{ FLOTILLA_LOG_LEVEL: 'shout' }, 'FLOTILLA_LOG_LEVEL'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadAgentConfig(env)).toThrow(AgentConfigError);
    expect(() => loadAgentConfig(env)).toThrow(message);
  });
});
