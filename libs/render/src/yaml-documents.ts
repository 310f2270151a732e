import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { RenderError, RenderErrorCode } from './render.error.js';

/** Aliases a document may expand: enough for real manifests, far too few for an alias bomb. */
const MAX_ALIAS_COUNT = 100;

/** One YAML document of a file, as plain data, with what is needed to point at its lines. */
export interface YamlDocument {
  readonly value: unknown;
  readonly line: number;
  readonly document: Document;
  readonly lineCounter: LineCounter;
}

/**
 * Parses every document of a YAML (or JSON) file as YAML 1.2 core: duplicate keys, syntax errors
 * and alias bombs are errors with file and line; no custom tags, no merge keys.
 */
export function parseYamlDocuments(text: string, file: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, strict: true, version: '1.2', prettyErrors: false });
  if (!Array.isArray(documents)) return []; // an empty stream
  return documents.map((document) => {
    const problem = document.errors[0];
    if (problem) {
      const { line, col } = lineCounter.linePos(problem.pos[0]);
      throw new RenderError(RenderErrorCode.InvalidManifest, `invalid YAML: ${problem.message.split('\n')[0]}`, { file, line, column: col });
    }
    const start = document.contents?.range?.[0] ?? 0;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const message = (error as Error).message;
      throw new RenderError(
        /alias/i.test(message) ? RenderErrorCode.Limit : RenderErrorCode.InvalidManifest,
        /alias/i.test(message) ? `YAML aliases expand too far (more than ${MAX_ALIAS_COUNT}): refused as a resource-exhaustion attack` : message,
        { file, line: lineCounter.linePos(start).line },
      );
    }
    return { value, line: lineCounter.linePos(start).line, document, lineCounter };
  });
}

/** 1-based line and column of the node at `path` in the document, or of its nearest existing parent. */
export function locate(doc: YamlDocument, path: readonly PropertyKey[], key?: string): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = doc.document.getIn(path.slice(0, depth) as (string | number)[], true) as
      | { range?: [number, number, number]; items?: { key?: { value?: unknown; range?: [number, number, number] } }[] }
      | undefined;
    if (!node?.range) continue;
    if (key !== undefined && depth === path.length && Array.isArray(node.items)) {
      const pair = node.items.find((item) => item.key?.value === key);
      if (pair?.key?.range) return position(doc, pair.key.range[0]);
    }
    return position(doc, node.range[0]);
  }
  return { line: doc.line, column: 1 };
}

function position(doc: YamlDocument, offset: number): { line: number; column: number } {
  const { line, col } = doc.lineCounter.linePos(offset);
  return { line, column: col };
}
