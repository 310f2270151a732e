import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseAllDocuments } from 'yaml';
import type { JsonValue } from '../fields/json-value.util.js';
import { badRequest, internalError, KubeApiError, tooLarge, unsupportedMediaType } from '../store/api-status.error.js';

/** The real API server's request body limit (3 MiB); larger bodies get 413. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

/** Nesting beyond this is refused up front: every later walk over the body is recursive. */
const MAX_DEPTH = 1000;

function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (++depth > MAX_DEPTH) throw badRequest(`the request body is nested more than ${MAX_DEPTH} levels deep`);
    } else if (ch === '}' || ch === ']') depth--;
  }
}

/** Decodes a JSON or YAML body; malformed input is a 400 BadRequest, never an exception escaping the handler. */
export function decodeBody(raw: Buffer, contentType: string): JsonValue {
  // Only JSON and YAML are spoken; protobuf/CBOR bodies (typed clients) get the 415 a server without them would give.
  if (/protobuf|cbor/.test(contentType)) throw unsupportedMediaType(contentType);
  const text = raw.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  checkDepth(text);
  const yaml = /yaml/.test(contentType);
  if (!yaml) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (err) {
      throw badRequest(`error decoding request body: ${(err as Error).message}`);
    }
  }
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length !== 1) throw badRequest('error decoding YAML: expected exactly one YAML document');
  const doc = list[0]!;
  if (doc.errors.length > 0) throw badRequest(`error decoding YAML: ${doc.errors[0]!.message}`);
  try {
    return doc.toJS({ maxAliasCount: 100 }) as JsonValue;
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', warnings: readonly string[] = []): void {
  const payload = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number | string[]> = {
    'Content-Type': contentType,
    'Content-Length': payload.length,
    'Cache-Control': 'no-cache, private',
    'X-Kubernetes-Pf-Flowschema-Uid': 'kube-sim',
  };
  if (warnings.length > 0) headers['Warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(payload);
}

export function sendBytes(res: ServerResponse, body: Buffer, contentType: string, extra: Record<string, string> = {}): void {
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length, ...extra });
  res.end(body);
}

/** Sends any failure as a Status; unexpected exceptions become 500 InternalError instead of crashing the process. */
export function sendError(res: ServerResponse, err: unknown): void {
  const error = err instanceof KubeApiError ? err : internalError(err instanceof Error ? err.message : String(err));
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, error.status.code, error.status);
}
