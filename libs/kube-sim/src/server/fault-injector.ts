import { setTimeout as sleep } from 'node:timers/promises';
import { internalError, serviceUnavailable, tooManyRequests, type KubeApiError } from '../store/api-status.error.js';

/** One injected failure: requests matching verb and resource fail with `code` at `rate` (0..1). */
export interface FaultRule {
  /** get, list, watch, create, update, patch, delete, deletecollection; any when omitted. */
  readonly verb?: string;
  /** Plural resource name (`deployments`); any when omitted. */
  readonly resource?: string;
  readonly rate: number;
  readonly code?: 429 | 500 | 503;
}

function injected(code: FaultRule['code']): KubeApiError {
  if (code === 429) return tooManyRequests('too many requests (injected fault)');
  if (code === 503) return serviceUnavailable('the server is currently unable to handle the request (injected fault)');
  return internalError('injected fault');
}

/**
 * Test-controlled misbehaviour of one kube-sim server: added latency, error rates per verb and
 * resource, and a full outage (every request 503, watches dropped) until `recover()`. The random
 * source is injectable so tests can make rates deterministic.
 */
export class FaultInjector {
  private latency = 0;
  private rules: FaultRule[] = [];
  private down = false;

  constructor(
    private readonly onOutage: () => void,
    private readonly random: () => number = Math.random,
  ) {}

  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  addRule(rule: FaultRule): void {
    this.rules.push(rule);
  }

  /** Removes every rule and the latency; an outage stays until `recover()`. */
  clear(): void {
    this.rules = [];
    this.latency = 0;
  }

  outage(): void {
    this.down = true;
    this.onOutage();
  }

  recover(): void {
    this.down = false;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** Runs before a request is served: waits the latency, then throws the injected failure if one applies. */
  async before(verb: string | undefined, resource: string | undefined): Promise<void> {
    if (this.down) throw serviceUnavailable('the server is currently unable to handle the request (simulated outage)');
    if (this.latency > 0) await sleep(this.latency);
    for (const rule of this.rules) {
      if (rule.verb && rule.verb !== verb) continue;
      if (rule.resource && rule.resource !== resource) continue;
      if (this.random() < rule.rate) throw injected(rule.code);
    }
  }
}

/** The API verb of a request, as RBAC and audit name it. */
export function verbOf(method: string | undefined, named: boolean, watch: boolean): string | undefined {
  switch (method) {
    case 'GET':
      return named ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}
