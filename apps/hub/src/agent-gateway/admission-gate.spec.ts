import { AdmissionGate, AdmissionGateFullError } from './admission-gate.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('AdmissionGate', () => {
  it('runs at most maxActive at once and the rest in arrival order', async () => {
    const gate = new AdmissionGate(2, 10);
    const order: number[] = [];
    let running = 0;
    let peak = 0;
    const blockers = Array.from({ length: 5 }, deferred);
    const runs = blockers.map((blocker, i) =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await blocker.promise;
        running--;
      }),
    );
    await Promise.resolve();
    expect(gate.active).toBe(2);
    expect(gate.waiting).toBe(3);
    for (const blocker of blockers) blocker.resolve();
    await Promise.all(runs);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(gate.active).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('refuses at once beyond maxWaiting, and frees the slot of work that failed', async () => {
    const gate = new AdmissionGate(1, 1);
    const blocker = deferred();
    const first = gate.run(() => blocker.promise);
    const second = gate.run(async () => {
      throw new Error('boom');
    });
    await expect(gate.run(async () => 'never')).rejects.toBeInstanceOf(AdmissionGateFullError);
    blocker.resolve();
    await first;
    await expect(second).rejects.toThrow('boom');
    await expect(gate.run(async () => 'after')).resolves.toBe('after');
    expect(gate.active).toBe(0);
  });

  it.each([
    [0, 1],
    [1.5, 1],
    [1, -1],
  ])('rejects maxActive %p / maxWaiting %p', (active, waiting) => {
    expect(() => new AdmissionGate(active, waiting)).toThrow(RangeError);
  });
});
