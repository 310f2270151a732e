import { AgentMessage, Change, Health, Phase, type ResourceStatus } from '@flotilla/protocol';
import { serializeAgentMessage } from './agent-stream.client.js';

const resources = (count: number): ResourceStatus[] =>
  Array.from({ length: count }, (_, i) => ({ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: `web-${i}`, change: Change.CHANGE_UNCHANGED, health: Health.HEALTH_HEALTHY, message: 'ünïcode ✓', drift: [] }));

const status = (seq: bigint, count: number): AgentMessage => ({
  seq,
  body: {
    $case: 'status',
    value: { bundle: 'web', generation: 7n, phase: Phase.PHASE_APPLIED, health: Health.HEALTH_HEALTHY, terminal: false, drift: { driftedFields: 0, fighting: false }, resources: resources(count), reason: '', observedAtUnixMs: 1n },
  },
});
const heartbeat = (seq: bigint): AgentMessage => ({ seq, body: { $case: 'heartbeat', value: { sentAtUnixMs: 5n } } });

describe('serializeAgentMessage', () => {
  it('writes exactly what the generated encoder writes, message after message, large before small', () => {
    for (const message of [status(1n, 500), heartbeat(2n), status(3n, 20), status(4n, 0), heartbeat(5n)]) {
      const bytes = serializeAgentMessage(message);
      expect(bytes.equals(Buffer.from(AgentMessage.encode(message).finish()))).toBe(true);
      expect(AgentMessage.decode(bytes)).toEqual(message);
    }
  });

  it('hands out bytes that later messages do not overwrite', () => {
    const first = serializeAgentMessage(status(1n, 20));
    const copy = Buffer.from(first);
    serializeAgentMessage(status(2n, 50));
    expect(first.equals(copy)).toBe(true);
  });

  it('leaves nothing of a message that failed half-way in the next one', () => {
    const invalid = { ...status(1n, 20), body: { $case: 'status', value: { ...(status(1n, 20).body as { value: object }).value, generation: 2n ** 64n } } } as AgentMessage;
    expect(() => serializeAgentMessage(invalid)).toThrow(/too large/);
    const next = heartbeat(9n);
    expect(serializeAgentMessage(next).equals(Buffer.from(AgentMessage.encode(next).finish()))).toBe(true);
  });
});
