import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PreparedBundle } from './prepare-bundle.js';
import type { ClusterFacts, RenderedBundle, SerializedRender } from './render-for-cluster.js';
import { RenderError, RenderErrorCode } from './render.error.js';
import type { RenderRequest, RenderResponse } from './render-worker.js';
import { DEFAULT_TEMPLATE_LIMITS, type TemplateLimits } from './template-engine.js';

export interface RenderPoolOptions {
  /** Worker threads; default: one per core. */
  readonly workers?: number;
  /** Hard limit of one render: past it the worker is terminated and replaced. */
  readonly timeoutMs?: number;
  /** Heap of each worker; a render that needs more kills only its worker. */
  readonly maxHeapMb?: number;
  readonly templateLimits?: TemplateLimits;
}

interface Pending {
  readonly resolve: (rendered: SerializedRender) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly bundle: string;
}

interface Slot {
  worker: Worker;
  readonly known: Set<string>;
  readonly pending: Map<number, Pending>;
}

/**
 * Renders in worker threads, so that no template, however hostile, can stall the process that
 * hosts the pool (the hub keeps answering /healthz): each render has a hard timeout after which
 * its worker is terminated, and each worker a heap limit. Requests go to the least busy worker.
 */
export class RenderPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  private readonly timeoutMs: number;

  constructor(private readonly options: RenderPoolOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const count = Math.max(1, options.workers ?? availableParallelism());
    for (let i = 0; i < count; i += 1) this.slots.push(this.spawn());
  }

  /** The render as objects (parsed from the worker's canonical JSON). */
  async render(prepared: PreparedBundle, cluster: ClusterFacts): Promise<RenderedBundle> {
    const { bundle, hash, json } = await this.renderSerialized(prepared, cluster);
    const { manifests, policy, namespace } = JSON.parse(json) as Pick<RenderedBundle, 'manifests' | 'policy' | 'namespace'>;
    return { bundle, hash, manifests, policy, ...(namespace ? { namespace } : {}) };
  }

  /** The render as its canonical JSON text and hash, never parsed on this thread: what the hub stores. */
  renderSerialized(prepared: PreparedBundle, cluster: ClusterFacts): Promise<SerializedRender> {
    if (this.closed) return Promise.reject(new Error('the render pool is closed'));
    const slot = this.slots.reduce((best, candidate) => (candidate.pending.size < best.pending.size ? candidate : best));
    const id = this.nextId++;
    const request: RenderRequest = { id, digest: prepared.digest, cluster, ...(slot.known.has(prepared.digest) ? {} : { prepared }) };
    slot.known.add(prepared.digest);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replace(slot, new RenderError(RenderErrorCode.Timeout, `rendering ${prepared.name} for ${cluster.name} took longer than ${this.timeoutMs} ms: stopped`));
      }, this.timeoutMs);
      slot.pending.set(id, { resolve, reject, timer, bundle: prepared.name });
      slot.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => this.fail(slot, new Error('the render pool is closed')).then(() => slot.worker.terminate())));
  }

  private spawn(): Slot {
    const entry = new URL(`./render-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
    const loader = import.meta.url.endsWith('.ts') ? typeScriptLoader() : undefined;
    // An eval'd bootstrap lets the same code run from sources (TypeScript hooks first) and from the build.
    const bootstrap = `(async () => { const d = require('node:worker_threads').workerData; if (d.loader) (await import(d.loader)).registerTypeScriptHooks(); await import(d.entry); })().catch((e) => { throw e; });`;
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: { entry: entry.href, loader, limits: this.options.templateLimits ?? DEFAULT_TEMPLATE_LIMITS },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 256, maxYoungGenerationSizeMb: 32 },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, known: new Set(), pending: new Map() };
    worker.on('message', (response: RenderResponse) => {
      const pending = slot.pending.get(response.id);
      if (!pending) return;
      slot.pending.delete(response.id);
      clearTimeout(pending.timer);
      if (response.ok) pending.resolve(response.rendered);
      else {
        const code = Object.values(RenderErrorCode).includes(response.error.code as RenderErrorCode) ? (response.error.code as RenderErrorCode) : undefined;
        pending.reject(code ? new RenderError(code, response.error.reason, response.error.location) : new Error(response.error.message));
      }
    });
    worker.on('error', (error) => {
      const outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      void this.replace(
        slot,
        outOfMemory ? new RenderError(RenderErrorCode.Limit, `a render needed more than ${this.options.maxHeapMb ?? 256} MB: stopped`) : error,
      );
    });
    worker.unref();
    return slot;
  }

  /** Fails everything the worker had, terminates it, and puts a fresh one in its place. */
  private async replace(slot: Slot, reason: Error): Promise<void> {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    await this.fail(slot, reason);
    if (!this.closed) this.slots[index] = this.spawn();
    else this.slots.splice(index, 1);
    await slot.worker.terminate();
  }

  private async fail(slot: Slot, reason: Error): Promise<void> {
    for (const pending of slot.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(reason);
    }
    slot.pending.clear();
  }
}

/** When running from TypeScript sources (tests, `npm run dev`), workers need the repository's hooks. */
function typeScriptLoader(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'scripts', 'ts-hooks.mjs');
    if (existsSync(candidate)) return pathToFileURL(candidate).href;
  }
  return undefined;
}
