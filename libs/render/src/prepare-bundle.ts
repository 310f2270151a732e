import { posix } from 'node:path';
import type { BundleSpec } from '@flotilla/manifest';
import { contentHash } from '@flotilla/crypto';
import type { KindScope } from './kind-scopes.js';
import { KUSTOMIZATION_FILES, type KustomizeBuilder } from './kustomize-build.js';
import { isManifestFile, parseManifests, type SourcedManifest } from './load-manifests.js';
import { parseBundleSpec } from './parse-bundle-spec.js';
import { RenderError, RenderErrorCode } from './render.error.js';
import { TemplateEngine } from './template-engine.js';

/**
 * A bundle parsed once per revision, ready to render for any number of clusters: its spec, its
 * untemplated manifests (kustomize already built), the scopes of the CRDs it defines, and what
 * its templates read from the cluster — which decides which clusters can share a render.
 */
export interface PreparedBundle {
  readonly name: string;
  /** The bundle directory in its repository ("" for the root), used in messages. */
  readonly dir: string;
  readonly spec: BundleSpec;
  readonly manifests: readonly SourcedManifest[];
  readonly customScopes: ReadonlyMap<string, KindScope>;
  /** Identifies spec + manifests (+ kustomize version): equal digests render equally. */
  readonly digest: string;
  /** The `cluster.*` paths templates read, or 'all' when that cannot be known statically. */
  readonly clusterReads: 'all' | readonly string[];
}

export interface PrepareBundleInput {
  readonly dir: string;
  /** The bundle's files, paths relative to `dir`, nested bundles already excluded. */
  readonly files: ReadonlyMap<string, Uint8Array | string>;
}

export interface PrepareBundleOptions {
  /** Needed only for bundles with a kustomization; its absence is then a clear error. */
  readonly kustomize?: KustomizeBuilder;
  readonly engine?: TemplateEngine;
}

export async function prepareBundle(input: PrepareBundleInput, options: PrepareBundleOptions = {}): Promise<PreparedBundle> {
  const label = (path: string) => (input.dir ? posix.join(input.dir, path) : path);
  const specText = input.files.get('flotilla.yaml');
  if (specText === undefined) throw new RenderError(RenderErrorCode.InvalidSpec, 'the bundle has no flotilla.yaml', { file: label('flotilla.yaml') });
  const spec = parseBundleSpec(text(specText), label('flotilla.yaml'), input.dir || '.');

  let manifests: SourcedManifest[];
  let kustomizeVersion: string | undefined;
  const kustomization = KUSTOMIZATION_FILES.find((name) => input.files.has(name));
  if (kustomization) {
    if (!options.kustomize) {
      throw new RenderError(RenderErrorCode.Kustomize, 'the bundle is a Kustomize directory, but neither kustomize nor kubectl is on the PATH', {
        file: label(kustomization),
      });
    }
    const output = await options.kustomize.build(input.files, input.dir || '.');
    manifests = parseManifests(output, `${label(kustomization)} (kustomize output)`);
    kustomizeVersion = options.kustomize.version;
  } else {
    manifests = [...input.files.keys()]
      .filter(isManifestFile)
      .sort()
      .flatMap((path) => parseManifests(text(input.files.get(path)!), label(path)));
  }

  const customScopes = new Map<string, KindScope>();
  for (const { object } of manifests) {
    if (object.kind !== 'CustomResourceDefinition') continue;
    const crd = object as unknown as { spec?: { group?: unknown; names?: { kind?: unknown }; scope?: unknown } };
    if (typeof crd.spec?.group === 'string' && typeof crd.spec.names?.kind === 'string') {
      customScopes.set(`${crd.spec.group}/${crd.spec.names.kind}`, crd.spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced');
    }
  }

  const engine = options.engine ?? new TemplateEngine();
  return {
    name: spec.name,
    dir: input.dir,
    spec,
    manifests,
    customScopes,
    digest: contentHash({ spec, manifests: manifests.map((m) => m.object), kustomizeVersion: kustomizeVersion ?? null }),
    clusterReads: clusterReadsOf([manifests.map((m) => m.object), spec.overlays.map((o) => o.patches)], engine),
  };
}

function clusterReadsOf(roots: unknown[], engine: TemplateEngine): 'all' | string[] {
  const reads = new Set<string>();
  const stack: unknown[] = [...roots];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') {
      if (!TemplateEngine.isTemplate(node)) continue;
      let variables: string[] | undefined;
      try {
        variables = engine.variablesOf(node);
      } catch {
        continue; // a broken template fails its render; it cannot make clusters share one
      }
      if (!variables) return 'all';
      for (const variable of variables) if (variable === 'cluster' || variable.startsWith('cluster.')) reads.add(variable);
    } else if (Array.isArray(node)) stack.push(...node);
    else if (node && typeof node === 'object') stack.push(...Object.values(node));
  }
  return [...reads].sort();
}

function text(content: Uint8Array | string): string {
  return typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
}
