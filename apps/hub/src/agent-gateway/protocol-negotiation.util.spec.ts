import { PROTOCOL_VERSION } from '@flotilla/protocol';
import { negotiateProtocol } from './protocol-negotiation.util.js';

describe('negotiateProtocol', () => {
  it.each([
    // hub, agent, accepted, behind
    [3, 3, true, false],
    [3, 2, true, true],
    [1, 1, true, false],
    [1, 0, true, true],
  ])('a hub at %i accepts an agent at %i', (hub, agent, accepted, behind) => {
    expect(negotiateProtocol(agent, hub)).toEqual({ accepted, behind });
  });

  it.each([
    [3, 1, 'protocol version 1 is not supported (this hub speaks 2-3); it is more than one version behind: upgrade the agent to 2 or later'],
    [3, 0, 'protocol version 0 is not supported (this hub speaks 2-3); it is more than one version behind: upgrade the agent to 2 or later'],
    [3, 4, 'protocol version 4 is not supported (this hub speaks 2-3); it is newer than this hub: upgrade the hub first'],
    [1, 2, 'protocol version 2 is not supported (this hub speaks 0-1); it is newer than this hub: upgrade the hub first'],
  ])('a hub at %i refuses an agent at %i, saying why', (hub, agent, reason) => {
    expect(negotiateProtocol(agent, hub)).toEqual({ accepted: false, reason });
  });

  it('defaults to the version this build speaks', () => {
    expect(negotiateProtocol(PROTOCOL_VERSION)).toEqual({ accepted: true, behind: false });
  });
});
