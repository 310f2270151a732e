import type { BundleReport } from './reconciler.js';
import { ReportQueue } from './report-queue.js';

const report = (bundle: string, phase: BundleReport['phase'], generation = 1n): BundleReport => ({
  bundle,
  generation,
  phase,
  health: 'Unknown',
  terminal: false,
  drift: { driftedFields: 0, fighting: false },
  resources: [],
  reason: '',
  observedAt: new Date(),
});

const drain = (queue: ReportQueue): string[] => {
  const out: string[] = [];
  for (let next = queue.take(); next; next = queue.take()) out.push(`${next.bundle}:${next.phase}:${next.generation}`);
  return out;
};

describe('ReportQueue', () => {
  it('keeps only the newest unsent report per bundle', () => {
    const queue = new ReportQueue();
    queue.put(report('web', 'Applying'));
    queue.put(report('db', 'Applying'));
    queue.put(report('web', 'Applied', 2n));
    expect(queue.size).toBe(2);
    expect(drain(queue)).toEqual(['db:Applying:1', 'web:Applied:2']);
    expect(queue.take()).toBeUndefined();
  });

  it('queues the last report of every bundle again on request', () => {
    const queue = new ReportQueue();
    queue.put(report('web', 'Applied'));
    queue.put(report('db', 'Failed'));
    drain(queue);
    queue.requeueAll();
    expect(drain(queue).sort()).toEqual(['db:Failed:1', 'web:Applied:1']);
  });
});
