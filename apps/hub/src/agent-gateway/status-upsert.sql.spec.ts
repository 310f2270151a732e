import { Change, Health, Phase, type BundleStatus } from '@flotilla/protocol';
import { pgArrayLiteral } from '@flotilla/database';
import { historyEntryOf, statusUpsertColumns, statusUpsertParameters, type ReceivedStatus } from './status-upsert.sql.js';

function received(status: Partial<BundleStatus>, seq = 1n): ReceivedStatus {
  return {
    bundleId: '7',
    clusterId: '00000000-0000-4000-8000-000000000001',
    stream: 3n,
    seq,
    status: {
      bundle: 'web',
      generation: 5n,
      phase: Phase.PHASE_APPLIED,
      health: Health.HEALTH_HEALTHY,
      terminal: false,
      drift: { driftedFields: 2, fighting: true },
      resources: [],
      reason: '',
      observedAtUnixMs: 1_700_000_000_000n,
      ...status,
    },
  };
}

const alone = (status: ReceivedStatus) => ({ latest: status, history: [historyEntryOf(status)] });
const column = (statuses: ReceivedStatus[], index: number): unknown[] => statusUpsertColumns(statuses.map(alone))[index] as unknown[];
/** The JSON text of the i-th deployment's resources, cut from the one buffer by its byte offset (from 1) and length. */
const resourcesText = (parameters: unknown[], i: number): string => {
  const [buffer, from, length] = parameters.slice(11, 14) as [Buffer, number[], number[]];
  return buffer.subarray(from[i]! - 1, from[i]! - 1 + length[i]!).toString('utf8');
};

describe('statusUpsertParameters', () => {
  it('lays out one value per deployment in the latest-state columns, the resources in one buffer, and one value per history entry in the 8 history columns', () => {
    const resource = { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'wéb', name: 'web', change: Change.CHANGE_CREATED, health: Health.HEALTH_HEALTHY, message: '', drift: [] };
    const degraded = received({ health: Health.HEALTH_DEGRADED, terminal: true }, 2n);
    const parameters = statusUpsertColumns([
      alone(received({ resources: [resource], reason: 'ok' })),
      { latest: degraded, history: [historyEntryOf(received({ health: Health.HEALTH_PROGRESSING })), historyEntryOf(degraded)] },
    ]);
    const columns = parameters as unknown[][];
    expect(parameters).toHaveLength(23);
    expect(columns.slice(15).map((c) => c.length)).toEqual([3, 3, 3, 3, 3, 3, 3, 3]);
    expect(columns.slice(15).map((c) => c[2])).toEqual(['7', '00000000-0000-4000-8000-000000000001', '5', '3', '2', 'APPLIED', 'DEGRADED', '']);
    expect(columns[21]).toEqual(['HEALTHY', 'PROGRESSING', 'DEGRADED']);
    expect([...columns.slice(0, 11), columns[14]!].map((c) => c[0])).toEqual([
      '7',
      '00000000-0000-4000-8000-000000000001',
      '5',
      '3',
      '1',
      'APPLIED',
      'HEALTHY',
      false,
      2,
      true,
      'ok',
      new Date(1_700_000_000_000),
    ]);
    // Byte offsets, not character offsets: "é" takes two bytes and the second deployment's text must still start where it starts.
    expect(resourcesText(parameters, 0)).toBe(JSON.stringify([{ ...resource, change: 'CREATED', health: 'HEALTHY' }]));
    expect(resourcesText(parameters, 1)).toBe('[]');
    expect(columns.slice(0, 11).map((c) => c[1])).toEqual(expect.arrayContaining(['DEGRADED', true, '2']));
  });

  // Hostile or broken values from an agent must never fail the statement: it carries everyone's statuses.
  it.each<[string, Partial<BundleStatus>, number, unknown]>([
    ['a NUL in the reason', { reason: 'bad\0byte' }, 10, 'bad\uFFFDbyte'],
    ['a reason longer than 4,000 characters', { reason: 'x'.repeat(5_000) }, 10, 'x'.repeat(4_000)],
    ['a generation beyond bigint', { generation: 2n ** 64n - 1n }, 2, (2n ** 63n - 1n).toString()],
    ['drifted fields beyond integer', { drift: { driftedFields: 4_294_967_295, fighting: false } }, 8, 2 ** 31 - 1],
    ['no drift summary', { drift: undefined }, 8, 0],
  ])('survives %s', (_what, status, index, expected) => {
    expect(column([received(status)], index)[0]).toEqual(expected);
  });

  it('keeps NUL out of the resources JSON too', () => {
    const resource = { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'a\0b', name: 'n', change: Change.CHANGE_CREATED, health: Health.HEALTH_HEALTHY, message: '\0', drift: [] };
    const json = resourcesText(statusUpsertColumns([alone(received({ resources: [resource] }))]), 0);
    expect(json).not.toContain('\\u0000');
    expect(JSON.parse(json)[0]).toMatchObject({ namespace: 'a\uFFFDb', message: '\uFFFD' });
  });

  it.each([0n, -5n, 2n ** 62n])('takes an observed time PostgreSQL cannot hold (%p) as now', (observedAtUnixMs) => {
    const before = Date.now();
    const at = column([received({ observedAtUnixMs })], 14)[0] as Date;
    expect(at.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('sends each column as its array literal and the resources buffer as it is', () => {
    const batch = [alone(received({ reason: 'a "quoted", {braced} reason' })), alone(received({ health: Health.HEALTH_DEGRADED }, 2n))];
    const columns = statusUpsertColumns(batch);
    const parameters = statusUpsertParameters(batch);
    expect(parameters).toEqual(columns.map((c) => (Array.isArray(c) ? pgArrayLiteral(c) : c)));
    expect(parameters[11]).toBeInstanceOf(Buffer);
  });
});
