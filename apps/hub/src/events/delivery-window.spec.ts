import { DeliveryWindow } from './delivery-window.js';

describe('DeliveryWindow', () => {
  it('admits each id once, whatever the order notifications and catch-up reads bring it in', () => {
    const window = new DeliveryWindow(10n);
    expect([11n, 12n, 12n, 11n, 13n].map((id) => window.admit(id, 0))).toEqual([true, true, false, false, true]);
    expect(window.last).toBe(13n);
  });

  it('remembers ids skipped over as gaps, fetches them on catch-up, and forgets them once delivered', () => {
    const window = new DeliveryWindow(10n);
    window.admit(14n, 0);
    expect(window.plan(0)).toEqual({ after: 14n, gaps: [11n, 12n, 13n] });
    expect(window.admit(12n, 1)).toBe(true); // a lower id committed later: still new
    expect(window.plan(1)).toEqual({ after: 14n, gaps: [11n, 13n] });
  });

  it('treats ids below the start as new (they were in flight when the hub started)', () => {
    const window = new DeliveryWindow(10n);
    expect(window.admit(9n, 0)).toBe(true);
    expect(window.admit(9n, 0)).toBe(false);
    expect(window.last).toBe(10n);
  });

  it('lets gaps expire (rolled-back transactions never fill them) and bounds how many it keeps', () => {
    const window = new DeliveryWindow(0n, { gapTtlMs: 100, maxGaps: 3 });
    window.admit(3n, 0);
    expect(window.plan(50).gaps).toEqual([1n, 2n]);
    expect(window.plan(101).gaps).toEqual([]);
    window.admit(100n, 200);
    expect(window.plan(200).gaps).toEqual([97n, 98n, 99n]);
  });

  it('bounds the memory of delivered ids', () => {
    const window = new DeliveryWindow(0n, { maxRemembered: 2 });
    window.admit(1n, 0);
    window.admit(2n, 0);
    window.admit(3n, 0);
    expect(window.admit(2n, 0)).toBe(false);
    expect(window.admit(1n, 0)).toBe(true); // forgotten: only a catch-up older than the memory could bring it back
  });

  it('forgets exactly the oldest ids, however many times its memory has filled', () => {
    const window = new DeliveryWindow(0n, { maxRemembered: 3 });
    for (let id = 1n; id <= 10n; id++) window.admit(id, 0);
    expect([10n, 9n, 8n].map((id) => window.admit(id, 0))).toEqual([false, false, false]);
    expect(window.admit(7n, 0)).toBe(true);
    // 7 took the place of 8, the oldest remembered: 8 is new again, 9 and 10 are not.
    expect([9n, 10n, 8n].map((id) => window.admit(id, 0))).toEqual([false, false, true]);
  });
});
