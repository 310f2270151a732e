import { parentPort, workerData } from 'node:worker_threads';
import type { PreparedBundle } from './prepare-bundle.js';
import { renderSerialized, type ClusterFacts, type SerializedRender } from './render-for-cluster.js';
import { RenderError } from './render.error.js';
import { TemplateEngine, type TemplateLimits } from './template-engine.js';

/**
 * A render request; `prepared` is sent only the first time this worker sees the digest. Results
 * travel as canonical JSON text: one string copies far faster between threads than an object graph.
 */
export interface RenderRequest {
  readonly id: number;
  readonly digest: string;
  readonly prepared?: PreparedBundle;
  readonly cluster: ClusterFacts;
}

export type RenderResponse =
  | { readonly id: number; readonly ok: true; readonly rendered: SerializedRender }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; reason: string; location?: RenderError['location']; message: string } };

const MAX_PREPARED = 512;

const engine = new TemplateEngine((workerData as { limits: TemplateLimits }).limits);
const prepared = new Map<string, PreparedBundle>();

parentPort!.on('message', (request: RenderRequest) => {
  if (request.prepared) {
    if (prepared.size >= MAX_PREPARED) prepared.delete(prepared.keys().next().value!);
    prepared.set(request.digest, request.prepared);
  }
  const bundle = prepared.get(request.digest);
  let response: RenderResponse;
  try {
    if (!bundle) throw new Error(`bundle ${request.digest} was never sent to this worker`);
    response = { id: request.id, ok: true, rendered: renderSerialized(bundle, request.cluster, engine) };
  } catch (error) {
    const failure = error instanceof RenderError ? error : undefined;
    response = {
      id: request.id,
      ok: false,
      error: {
        code: failure?.code ?? 'INTERNAL',
        reason: failure?.reason ?? (error as Error).message,
        location: failure?.location,
        message: (error as Error).message,
      },
    };
  }
  parentPort!.postMessage(response);
});
