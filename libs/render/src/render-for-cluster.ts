import { type ApplyPolicy, BUNDLE_LABEL, type BundleSpec, describeObject, groupOf, identityOf, type KubeObject, matchesLabelSelector, matchesObjectTarget, sortForApply } from '@flotilla/manifest';
import { createHash } from 'node:crypto';
import { canonicalJson, contentHash } from '@flotilla/crypto';
import { applyJsonPatch, JsonPatchError } from './json-patch.js';
import { scopeOf } from './kind-scopes.js';
import { checkObject } from './load-manifests.js';
import { applyMergePatch, mergeValues } from './merge-patch.js';
import type { PreparedBundle } from './prepare-bundle.js';
import { RenderError, RenderErrorCode, formatLocation, type SourceLocation } from './render.error.js';
import { TemplateEngine, TemplateError, type TemplateContext } from './template-engine.js';

/** What the hub knows of a cluster that a bundle may depend on. */
export interface ClusterFacts {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly vars: Readonly<Record<string, unknown>>;
}

/** One bundle rendered for one cluster: ordered manifests, the apply policy, and their content hash. */
export interface RenderedBundle {
  readonly bundle: string;
  readonly manifests: KubeObject[];
  readonly policy: ApplyPolicy;
  /**
   * The bundle's default namespace (flotilla.yaml `namespace`), when it sets one: the agent gives it
   * to namespaced kinds the hub could not know (custom resources of CRDs outside the bundle).
   */
  readonly namespace?: string;
  /** sha256 of the manifests, the policy and the default namespace; the revision is deliberately not part of it. */
  readonly hash: string;
}

/** Whether the bundle targets a cluster with these labels: any entry matches; no entries, no clusters. */
export function isTargeted(spec: BundleSpec, labels: Readonly<Record<string, string>>): boolean {
  return spec.targets.some((target) => matchesLabelSelector(target.selector, labels));
}

/**
 * The cache key of a render: clusters with equal keys get identical output, so the hub renders
 * once for all of them. It holds the bundle digest, which overlays apply, and the cluster facts
 * the templates read (all of them when that is unknown).
 */
export function renderCacheKey(prepared: PreparedBundle, cluster: ClusterFacts): string {
  const overlays = prepared.spec.overlays.flatMap((overlay, index) => (matchesLabelSelector(overlay.selector, cluster.labels) ? [index] : []));
  const facts = prepared.clusterReads === 'all' ? cluster : prepared.clusterReads.map((path) => pick({ cluster }, path));
  return contentHash({ digest: prepared.digest, overlays, facts });
}

/** Renders a prepared bundle for one cluster (design.md §4). Pure: equal inputs give equal output. */
export function renderForCluster(prepared: PreparedBundle, cluster: ClusterFacts, engine = defaultEngine()): RenderedBundle {
  const { spec } = prepared;
  const overlays = spec.overlays.filter((overlay) => matchesLabelSelector(overlay.selector, cluster.labels));
  const values = overlays.reduce((merged, overlay) => (overlay.values ? mergeValues(merged, overlay.values) : merged), spec.values);
  const context: TemplateContext = { cluster: { name: cluster.name, labels: cluster.labels, vars: cluster.vars }, values };

  const rendered = prepared.manifests.map(({ object, location }) => ({
    object: checkObject(templated(object, context, engine, location, describeObject(object)), location),
    location,
  }));

  let objects = rendered.map((entry) => entry.object);
  overlays.forEach((overlay) => {
    const overlayIndex = spec.overlays.indexOf(overlay);
    overlay.patches.forEach((patch, patchIndex) => {
      const where: SourceLocation = { file: `${prepared.dir ? `${prepared.dir}/` : ''}flotilla.yaml` };
      const label = `overlays[${overlayIndex}].patches[${patchIndex}]`;
      const patchBody = templated(patch.merge ?? patch.jsonPatch, context, engine, where, label);
      let matched = 0;
      objects = objects.map((object) => {
        if (!matchesObjectTarget(object, patch.target)) return object;
        matched += 1;
        try {
          const result = patch.merge ? applyMergePatch(object, patchBody) : applyJsonPatch(object, patchBody as never);
          return checkObject(result, { file: `${where.file} (${label} on ${describeObject(object)})` });
        } catch (error) {
          if (error instanceof JsonPatchError) throw new RenderError(RenderErrorCode.Patch, `${label} on ${describeObject(object)}: ${error.message}`, where);
          throw error;
        }
      });
      if (matched === 0) throw new RenderError(RenderErrorCode.Patch, `${label} matched no object (target ${JSON.stringify(patch.target)})`, where);
    });
  });

  const seen = new Map<string, string>();
  const manifests = objects.map((object, index) => {
    const metadata = { ...object.metadata, labels: { ...(object.metadata.labels ?? {}), [BUNDLE_LABEL]: spec.name } };
    if (spec.namespace && metadata.namespace === undefined && scopeOf(groupOf(object.apiVersion), object.kind, prepared.customScopes) === 'Namespaced') {
      metadata.namespace = spec.namespace;
    }
    const result = { ...object, metadata };
    const identity = identityOf(result);
    const location = formatLocation(rendered[index]!.location);
    const earlier = seen.get(identity);
    if (earlier) throw new RenderError(RenderErrorCode.Conflict, `${describeObject(result)} is defined twice: at ${earlier} and at ${location}`);
    seen.set(identity, location);
    return result;
  });

  const ordered = sortForApply(manifests);
  const content = contentOf(ordered, spec);
  return { bundle: spec.name, ...content, hash: contentHash(content) };
}

/** What is hashed and delivered: manifests, policy, and the default namespace only when set (so other bundles' hashes stay as they were). */
function contentOf(manifests: KubeObject[], spec: PreparedBundle['spec']): Pick<RenderedBundle, 'manifests' | 'policy' | 'namespace'> {
  return { manifests, policy: spec.apply, ...(spec.namespace ? { namespace: spec.namespace } : {}) };
}

/** A render as its canonical JSON text (`{"manifests":…,"namespace":…,"policy":…}`) and hash: what the hub stores. */
export interface SerializedRender {
  readonly bundle: string;
  readonly hash: string;
  readonly json: string;
  /** identityOf() of every manifest, to find objects two bundles both render for one cluster. */
  readonly identities: string[];
}

/** renderForCluster, serialized once: the text hashed is the text returned, so they always agree. */
export function renderSerialized(prepared: PreparedBundle, cluster: ClusterFacts, engine = defaultEngine()): SerializedRender {
  const rendered = renderForCluster(prepared, cluster, engine);
  const json = canonicalJson({ manifests: rendered.manifests, policy: rendered.policy, ...(rendered.namespace ? { namespace: rendered.namespace } : {}) });
  return {
    bundle: rendered.bundle,
    hash: `sha256:${createHash('sha256').update(json).digest('hex')}`,
    json,
    identities: rendered.manifests.map(identityOf),
  };
}

let sharedEngine: TemplateEngine | undefined;
function defaultEngine(): TemplateEngine {
  return (sharedEngine ??= new TemplateEngine());
}

/** A copy of `value` with every templated string scalar rendered; errors name file, line, object and field. */
function templated(value: unknown, context: TemplateContext, engine: TemplateEngine, location: SourceLocation, subject: string): unknown {
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      if (!TemplateEngine.isTemplate(node)) return node;
      try {
        return engine.render(node, context);
      } catch (error) {
        if (error instanceof TemplateError) throw new RenderError(RenderErrorCode.Template, `${subject}: ${path || '(root)'}: ${error.message}`, location);
        throw error;
      }
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, `${path}[${index}]`));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) {
        Object.defineProperty(out, key, { value: walk(item, path ? `${path}.${key}` : key), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return node;
  };
  return walk(value, '');
}

function pick(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return null;
    node = (node as Record<string, unknown>)[part];
  }
  return node ?? null;
}
