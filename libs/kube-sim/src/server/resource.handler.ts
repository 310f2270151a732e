import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonObject, type JsonObject, type JsonValue } from '../fields/json-value.util.js';
import type { ResourceType } from '../schema/resource-type.js';
import { metadataOf, type ObjectRef } from '../store/api-request.js';
import { badRequest, methodNotAllowed, notFound, unsupportedMediaType } from '../store/api-status.error.js';
import type { SimulatedCluster } from '../store/simulated-cluster.js';
import { decodeBody, readBody, sendJson } from './http-io.util.js';
import { deleteOptions, listOptions, patchTypeOf, writeOptions } from './request-options.util.js';
import type { ResourceRoute } from './resource-route.js';
import { scaleOf, withScale } from './scale-subresource.js';
import { toTable, wantsTable } from './table.printer.js';
import { WatchStream } from './watch-stream.js';

/** What the resource handler needs from the server instance. */
export interface ResourceHandlerContext {
  readonly cluster: SimulatedCluster;
  /** Open watch streams, so the server can drop them (fault injection) and close them on shutdown. */
  readonly watches: Set<WatchStream>;
}

function resolveRef(ctx: ResourceHandlerContext, route: ResourceRoute): ObjectRef {
  const type = ctx.cluster.resource(route.group, route.version, route.plural);
  if (route.namespace !== undefined && !type.namespaced) throw notFound({ group: route.group, resource: route.plural });
  if (route.subresource && !type.subresources.some((s) => s.name === route.subresource)) {
    throw notFound({ group: route.group, resource: `${route.plural}/${route.subresource}`, name: route.name });
  }
  return { type, namespace: route.namespace, name: route.name, subresource: route.subresource };
}

function requireVerb(type: ResourceType, verb: string): void {
  if (!type.verbs.includes(verb)) throw methodNotAllowed();
}

async function body(req: IncomingMessage, contentType: string): Promise<JsonValue> {
  return decodeBody(await readBody(req), contentType);
}

/** Success Status for an immediate delete, as the generic registry returns it. */
function deletedStatus(ref: ObjectRef, obj: JsonObject): JsonObject {
  const meta = metadataOf(obj);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: meta['name'] ?? null, ...(ref.type.group ? { group: ref.type.group } : {}), kind: ref.type.plural, uid: meta['uid'] ?? null },
  };
}

function sendObject(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, ref: ObjectRef, code: number, obj: JsonObject, warnings: readonly string[] = []): void {
  if (wantsTable(req.headers.accept) && obj['kind'] !== 'Status') {
    sendJson(res, code, toTable(ref.type, [obj], { resourceVersion: metadataOf(obj)['resourceVersion'] ?? '' }, query.get('includeObject') ?? undefined), 'application/json;as=Table;v=v1;g=meta.k8s.io', warnings);
    return;
  }
  sendJson(res, code, obj, 'application/json', warnings);
}

/** Serves the REST verbs on one resource path: get, list, watch, create, update, patch, delete, deletecollection. */
export async function handleResource(
  ctx: ResourceHandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
  query: URLSearchParams,
): Promise<void> {
  const ref = resolveRef(ctx, route);
  const { cluster } = ctx;
  const contentType = req.headers['content-type'] ?? 'application/json';
  const agent = req.headers['user-agent'];
  const isCollection = ref.name === undefined;
  switch (req.method) {
    case 'GET': {
      if (!isCollection) {
        requireVerb(ref.type, 'get');
        const obj = cluster.get({ ...ref, subresource: undefined });
        sendObject(req, res, query, ref, 200, ref.subresource === 'scale' ? scaleOf(obj) : obj);
        return;
      }
      const options = listOptions(query);
      if (query.get('watch') === 'true' || query.get('watch') === '1') {
        requireVerb(ref.type, 'watch');
        const table = wantsTable(req.headers.accept);
        const includeObject = query.get('includeObject') ?? undefined;
        const stream = new WatchStream(req, res, (obj) => (table ? toTable(ref.type, [obj], {}, includeObject) : obj));
        ctx.watches.add(stream);
        stream.start((deliver) => cluster.watch(ref, options, deliver), options.timeoutSeconds, () => ctx.watches.delete(stream));
        return;
      }
      requireVerb(ref.type, 'list');
      const list = cluster.list(ref, options);
      if (wantsTable(req.headers.accept)) {
        sendJson(res, 200, toTable(ref.type, list['items'] as JsonObject[], metadataOf(list), query.get('includeObject') ?? undefined), 'application/json;as=Table;v=v1;g=meta.k8s.io');
        return;
      }
      sendJson(res, 200, list);
      return;
    }
    case 'POST': {
      if (!isCollection) throw methodNotAllowed();
      if (ref.type.namespaced && ref.namespace === undefined) throw methodNotAllowed();
      requireVerb(ref.type, 'create');
      const result = cluster.create(ref, await body(req, contentType), writeOptions(query, agent));
      sendObject(req, res, query, ref, 201, result.object, result.warnings);
      return;
    }
    case 'PUT': {
      if (isCollection) throw methodNotAllowed();
      requireVerb(ref.type, 'update');
      const options = writeOptions(query, agent);
      let input = await body(req, contentType);
      if (ref.subresource === 'scale') {
        if (!isJsonObject(input)) throw badRequest('the body of the request was not a JSON object');
        input = withScale(cluster.get({ ...ref, subresource: undefined }), input);
      }
      const result = cluster.update(ref, input, options);
      sendObject(req, res, query, ref, 200, ref.subresource === 'scale' ? scaleOf(result.object) : result.object, result.warnings);
      return;
    }
    case 'PATCH': {
      if (isCollection) throw methodNotAllowed();
      requireVerb(ref.type, 'patch');
      const patchType = patchTypeOf(contentType);
      if (patchType === 'strategic' && ref.type.custom) throw unsupportedMediaType(contentType);
      const options = writeOptions(query, agent);
      const input = await body(req, contentType);
      if (ref.subresource === 'scale') {
        if (patchType === 'apply' || patchType === 'json') throw unsupportedMediaType(contentType);
        const live = cluster.get({ ...ref, subresource: undefined });
        const requested = isJsonObject(input) && isJsonObject(input['spec']) ? input['spec']['replicas'] : undefined;
        const scale = { ...scaleOf(live), spec: { replicas: typeof requested === 'number' ? requested : scaleOf(live)['spec'] } };
        const result = cluster.update(ref, withScale(live, scale), options);
        sendObject(req, res, query, ref, 200, scaleOf(result.object), result.warnings);
        return;
      }
      const result = cluster.patch(ref, patchType, input, options);
      sendObject(req, res, query, ref, result.created ? 201 : 200, result.object, result.warnings);
      return;
    }
    case 'DELETE': {
      const raw = await readBody(req);
      const deleteBody = raw.length > 0 ? decodeBody(raw, contentType) : undefined;
      const options = deleteOptions(query, deleteBody);
      if (isCollection) {
        requireVerb(ref.type, 'deletecollection');
        sendJson(res, 200, cluster.deleteCollection(ref, listOptions(query), options));
        return;
      }
      requireVerb(ref.type, 'delete');
      const result = cluster.delete(ref, options);
      if (result.finished) sendJson(res, 200, deletedStatus(ref, result.object));
      else sendObject(req, res, query, ref, ref.type.plural === 'namespaces' ? 200 : 202, result.object);
      return;
    }
    default:
      throw methodNotAllowed();
  }
}
