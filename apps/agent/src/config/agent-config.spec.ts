import { AgentConfigError, loadAgentConfig } from './agent-config.js';

const REQUIRED = { FLOTILLA_HUB_ADDRESS: 'hub.example.com:8443', FLOTILLA_REGISTRATION_ADDRESS: 'hub.example.com:8444', FLOTILLA_HUB_CA_FILE: '/etc/flotilla/hub-ca.pem' };

describe('loadAgentConfig', () => {
  it('defaults what it can', () => {
    expect(loadAgentConfig(REQUIRED, '/srv')).toMatchObject({
      httpPort: 8081,
      bindAddress: '0.0.0.0',
      logLevel: 'log',
      stateDir: '/var/lib/flotilla-agent',
      kubeconfig: undefined,
      namespace: 'flotilla-system',
      identityStore: 'secret',
    });
  });

  it('keeps the identity in the state directory by default only when given a kubeconfig', () => {
    expect(loadAgentConfig({ ...REQUIRED, FLOTILLA_KUBECONFIG: 'kc' }, '/srv')).toMatchObject({ kubeconfig: '/srv/kc', identityStore: 'state-dir' });
    expect(loadAgentConfig({ ...REQUIRED, FLOTILLA_KUBECONFIG: 'kc', FLOTILLA_AGENT_IDENTITY_STORE: 'secret' }, '/srv')).toMatchObject({ identityStore: 'secret' });
  });

  it.each([
    [{}, 'FLOTILLA_HUB_ADDRESS: required'],
    [{ ...REQUIRED, FLOTILLA_HUB_ADDRESS: 'no-port' }, 'FLOTILLA_HUB_ADDRESS: expected host:port'],
    [{ ...REQUIRED, FLOTILLA_AGENT_HTTP_PORT: '99999' }, 'FLOTILLA_AGENT_HTTP_PORT: expected a port number'],
    [{ ...REQUIRED, FLOTILLA_LOG_LEVEL: 'shout' }, 'FLOTILLA_LOG_LEVEL'],
    [{ ...REQUIRED, FLOTILLA_TLS_SERVER_NAME: 'bad name' }, 'FLOTILLA_TLS_SERVER_NAME'],
    [{ ...REQUIRED, FLOTILLA_AGENT_NAMESPACE: 'Not_A_Namespace' }, 'FLOTILLA_AGENT_NAMESPACE: expected a namespace name'],
    [{ ...REQUIRED, FLOTILLA_AGENT_IDENTITY_STORE: 'etcd' }, 'FLOTILLA_AGENT_IDENTITY_STORE: expected "secret" or "state-dir"'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadAgentConfig(env)).toThrow(AgentConfigError);
    expect(() => loadAgentConfig(env)).toThrow(message);
  });
});
