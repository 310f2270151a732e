import { basename } from 'node:path';
import { type BundleSpec, bundleSpecSchema, DNS_1123_LABEL } from '@flotilla/manifest';
import { BundleSpecError, RenderError } from './render.error.js';
import { locate, parseYamlDocuments } from './yaml-documents.js';

/**
 * Parses and validates a `flotilla.yaml`. `file` is its path in the repository (for messages),
 * `dir` the bundle directory (the name defaults to the directory's name when that is a valid one).
 * Every problem is reported at once, each with its line and column.
 */
export function parseBundleSpec(text: string, file: string, dir: string): BundleSpec {
  let documents;
  try {
    documents = parseYamlDocuments(text, file);
  } catch (error) {
    if (!(error instanceof RenderError) || !error.location) throw error;
    throw new BundleSpecError([{ location: error.location, path: '', reason: error.reason }]);
  }
  if (documents.length > 1) {
    throw new BundleSpecError([{ location: { file, line: documents[1]!.line }, path: '', reason: 'flotilla.yaml holds one document, found several' }]);
  }
  const doc = documents[0];
  const raw = doc?.value ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BundleSpecError([{ location: { file, line: doc?.line ?? 1 }, path: '', reason: 'expected a mapping of bundle fields' }]);
  }
  const parsed = bundleSpecSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BundleSpecError(
      parsed.error.issues.map((issue) => {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
        const where = doc ? locate(doc, issue.path, keys?.[0]) : { line: 1, column: 1 };
        const reason = keys ? `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
        return { location: { file, ...where }, path: formatPath(issue.path), reason };
      }),
    );
  }
  const spec = parsed.data;
  const dirName = basename(dir === '' || dir === '.' ? '.' : dir);
  const name = spec.name ?? (DNS_1123_LABEL.test(dirName) && dirName.length <= 63 ? dirName : undefined);
  if (!name) {
    throw new BundleSpecError([
      { location: { file, line: 1, column: 1 }, path: 'name', reason: `the directory name "${dirName}" is not a DNS-1123 label: set name` },
    ]);
  }
  if (spec.dependsOn.includes(name)) {
    const where = doc ? locate(doc, ['dependsOn']) : { line: 1, column: 1 };
    throw new BundleSpecError([{ location: { file, ...where }, path: 'dependsOn', reason: `bundle "${name}" cannot depend on itself` }]);
  }
  return { ...spec, name };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}
