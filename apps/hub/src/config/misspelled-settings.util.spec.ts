import { HUB_SETTINGS } from './hub-config.js';
import { misspelledSettings } from './misspelled-settings.util.js';

const KNOWN = ['FLOTILLA_GIT_MAX_FILES', 'FLOTILLA_HTTP_PORT', 'FLOTILLA_GRPC_PORT', 'FLOTILLA_LOG_LEVEL'];

describe('misspelledSettings', () => {
  it.each([
    [{ FLOTILLA_GIT_MAX_FILE: '5' }, ['FLOTILLA_GIT_MAX_FILE is not a hub setting and is ignored; did you mean FLOTILLA_GIT_MAX_FILES?']],
    [{ FLOTILLA_HTTP_PROT: '1' }, ['FLOTILLA_HTTP_PROT is not a hub setting and is ignored; did you mean FLOTILLA_HTTP_PORT?']],
    [{ FLOTILLA_LOGLEVEL: 'debug' }, ['FLOTILLA_LOGLEVEL is not a hub setting and is ignored; did you mean FLOTILLA_LOG_LEVEL?']],
    [{ FLOTILLA_HTPP_PORT: '1' }, ['FLOTILLA_HTPP_PORT is not a hub setting and is ignored; did you mean FLOTILLA_HTTP_PORT?']],
    [{ FLOTILLA_HTTP_PORT: '1', FLOTILLA_LOG_LEVEL: 'debug' }, []],
    [{ FLOTILLA_AGENT_STATE_DIR: '/x', FLOTILLA_TOKEN: 't', HTTP_PORT: '1' }, []],
  ])('%j → %j', (env, expected) => {
    expect(misspelledSettings(env, KNOWN)).toEqual(expected);
  });
});

describe('the hub settings', () => {
  it('are not mistaken for typos of one another, nor are the agent settings a demo passes in the same environment', () => {
    const agentSettings = ['FLOTILLA_AGENT_HTTP_PORT', 'FLOTILLA_AGENT_BIND_ADDRESS', 'FLOTILLA_HUB_ADDRESS', 'FLOTILLA_REGISTRATION_ADDRESS', 'FLOTILLA_HUB_CA_FILE',
      'FLOTILLA_BOOTSTRAP_TOKEN_FILE', 'FLOTILLA_TLS_SERVER_NAME', 'FLOTILLA_AGENT_STATE_DIR', 'FLOTILLA_AGENT_STATE_KEY', 'FLOTILLA_KUBECONFIG', 'FLOTILLA_KUBERNETES_VERSION'];
    const env = Object.fromEntries([...HUB_SETTINGS, ...agentSettings].map((name) => [name, 'x']));
    expect(misspelledSettings(env, HUB_SETTINGS)).toEqual([]);
    expect(HUB_SETTINGS).toContain('FLOTILLA_HTTP_PORT');
  });
});
