import { HubMessage, type Desired } from '@flotilla/protocol';
import { DesiredTemplate, serializeHubMessage } from './hub-message.codec.js';

const base: Omit<Desired, 'generation'> = {
  bundle: 'web',
  hash: 'sha256:0f1e',
  revision: 'abc123',
  contentJson: '{"manifests":[],"policy":{}}',
  dependsOn: ['db', 'cache'],
  suspend: false,
};

describe('DesiredTemplate', () => {
  const cases: [string, Omit<Desired, 'generation'>, bigint][] = [
    ['one-byte generation', base, 1n],
    ['largest one-byte varint', base, 127n],
    ['two-byte varint', base, 128n],
    ['beyond 32 bits', base, 2n ** 35n + 5n],
    ['largest uint64', base, 2n ** 64n - 1n],
    ['generation 0 is omitted like the encoder does', base, 0n],
    ['empty fields are omitted', { bundle: 'b', hash: '', revision: '', contentJson: '', dependsOn: [], suspend: false }, 9n],
    ['suspended, no dependencies', { ...base, dependsOn: [], suspend: true }, 300n],
    ['content whose length needs a 2-byte length prefix', { ...base, contentJson: 'x'.repeat(200) }, 42n],
    ['content whose length needs a 3-byte length prefix', { ...base, contentJson: 'é'.repeat(40_000) }, 42n],
    ['multi-byte characters in names', { ...base, bundle: 'wëb-ü', revision: '✓' }, 7n],
  ];

  it.each(cases)('%s: byte for byte what HubMessage.encode produces', (_name, fields, generation) => {
    const expected = Buffer.from(HubMessage.encode({ body: { $case: 'desired', value: { ...fields, generation } } }).finish());
    const actual = DesiredTemplate.of(fields).encode(generation);
    expect(actual.equals(expected)).toBe(true);
    expect(HubMessage.decode(actual)).toEqual({ body: { $case: 'desired', value: { ...fields, generation } } });
  });

  it('encodes many generations from one template without them sharing bytes', () => {
    const template = DesiredTemplate.of(base);
    const first = template.encode(5n);
    const second = template.encode(6n);
    expect(HubMessage.decode(first).body).toMatchObject({ value: { generation: 5n } });
    expect(HubMessage.decode(second).body).toMatchObject({ value: { generation: 6n } });
  });

  it('refuses a generation outside uint64', () => {
    expect(() => DesiredTemplate.of(base).encode(2n ** 64n)).toThrow(RangeError);
    expect(() => DesiredTemplate.of(base).encode(-1n)).toThrow(RangeError);
  });
});

describe('serializeHubMessage', () => {
  it('passes pre-encoded bytes through without copying', () => {
    const bytes = DesiredTemplate.of(base).encode(3n);
    expect(serializeHubMessage(bytes)).toBe(bytes);
  });

  it('encodes a message object', () => {
    const message: HubMessage = { body: { $case: 'welcome', value: { protocolVersion: 1, clusterUid: 'u', heartbeatIntervalMs: 1000 } } };
    expect(HubMessage.decode(serializeHubMessage(message))).toEqual(message);
  });
});
