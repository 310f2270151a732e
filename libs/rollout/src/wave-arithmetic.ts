import { matchesLabelSelector } from '@flotilla/render';
import type { RolloutPlan } from './rollout.types.js';

/** The first wave whose selector matches the labels, else the last wave (design.md §7). */
export function waveOf(plan: RolloutPlan, labels: Readonly<Record<string, string>>): number {
  const index = plan.waves.findIndex((wave) => wave.selector !== undefined && matchesLabelSelector(wave.selector, labels));
  return index >= 0 ? index : plan.waves.length - 1;
}

/** A count, or a percentage of `size` rounded up — at least 1. */
export function concurrencyOf(maxConcurrent: number | string, size: number): number {
  if (typeof maxConcurrent === 'number') return Math.max(1, maxConcurrent);
  return Math.max(1, Math.ceil((size * Number(maxConcurrent.slice(0, -1))) / 100));
}

/** A count, or a percentage of `size` rounded down. */
export function failureBudgetOf(maxFailures: number | string, size: number): number {
  if (typeof maxFailures === 'number') return maxFailures;
  return Math.floor((size * Number(maxFailures.slice(0, -1))) / 100);
}
