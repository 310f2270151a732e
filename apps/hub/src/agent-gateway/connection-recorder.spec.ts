import type { DataSource } from 'typeorm';
import { ConnectionRecorder } from './connection-recorder.js';

/** A stand-in DataSource that records each disconnect statement's cluster ids, and can be told to fail. */
function fakeDatabase() {
  const disconnects: string[][] = [];
  let failures = 0;
  let written: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  const statements: string[] = [];
  const dataSource = {
    query: async (sql: string, parameters: unknown[]) => {
      if (sql.startsWith('INSERT INTO cluster_connections')) statements.push(`connected ${String(parameters[0])}`);
      if (sql.startsWith('UPDATE cluster_connections SET state')) {
        await gate;
        statements.push(`disconnected ${(parameters[0] as string[]).join(',')}`);
        if (failures > 0) {
          failures--;
          throw new Error('timeout exceeded when trying to connect');
        }
        disconnects.push(parameters[0] as string[]);
        written();
      }
      return [];
    },
  } as unknown as DataSource;
  return {
    dataSource,
    disconnects,
    statements,
    failNext: (n: number) => (failures = n),
    /** Holds disconnect statements until the returned function is called. */
    holdDisconnects: () => {
      let release: () => void = () => undefined;
      gate = new Promise((resolve) => (release = resolve));
      return release;
    },
    /** Resolves when the next disconnect statement succeeds. */
    nextWrite: () => new Promise<void>((resolve) => (written = resolve)),
  };
}

describe('ConnectionRecorder disconnects', () => {
  it('writes the disconnects of one moment in one statement', async () => {
    const db = fakeDatabase();
    const recorder = new ConnectionRecorder(db.dataSource);
    const ids = Array.from({ length: 10_000 }, (_, i) => `cluster-${i}`);
    const write = db.nextWrite();
    for (const id of ids) recorder.disconnectedSoon(id);
    await write;
    expect(db.disconnects).toEqual([ids]);
    expect(recorder.disconnectsWaiting).toBe(0);
  });

  it('keeps the disconnects of a failed write and writes them on retry', async () => {
    const db = fakeDatabase();
    const recorder = new ConnectionRecorder(db.dataSource);
    db.failNext(1);
    const write = db.nextWrite();
    recorder.disconnectedSoon('a');
    recorder.disconnectedSoon('b');
    await write;
    expect(db.disconnects).toEqual([['a', 'b']]);
    await recorder.onApplicationShutdown();
  });

  it('drops a waiting disconnect when the cluster connects again first', async () => {
    const db = fakeDatabase();
    const recorder = new ConnectionRecorder(db.dataSource);
    recorder.disconnectedSoon('a');
    recorder.disconnectedSoon('b');
    await recorder.connected('a', { agent: '1', protocol: 1, kubernetes: 'v1.35.0' });
    await recorder.flushDisconnects();
    expect(db.disconnects).toEqual([['b']]);
  });

  it('writes a connect after a disconnect of the same cluster already being written, never before it', async () => {
    const db = fakeDatabase();
    const recorder = new ConnectionRecorder(db.dataSource);
    const release = db.holdDisconnects();
    recorder.disconnectedSoon('a');
    const flushed = recorder.flushDisconnects(); // in flight, held
    const connected = recorder.connected('a', { agent: '1', protocol: 1, kubernetes: 'v1.35.0' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(db.statements).toEqual([]); // the connect waits for the disconnect
    release();
    await Promise.all([flushed, connected]);
    expect(db.statements).toEqual(['disconnected a', 'connected a']);
  });
});
