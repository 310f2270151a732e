// The bundle format's shared vocabulary (spec schema, object helpers, label selectors, apply order) lives
// in @flotilla/manifest, which the agent loads without this library; re-exported whole for the hub.
export * from '@flotilla/manifest';
// Re-exported for callers that render and hash together; the implementation is in @flotilla/crypto.
export { canonicalJson, contentHash } from '@flotilla/crypto';
export { discoverBundleDirs, filesOfBundle } from './discover-bundles.js';
export { applyJsonPatch, JsonPatchError } from './json-patch.js';
export { CliKustomizeBuilder, checkKustomizations, type KustomizeBuilder } from './kustomize-build.js';
export { isManifestFile, parseManifests, type SourcedManifest } from './load-manifests.js';
export { applyMergePatch, mergeValues } from './merge-patch.js';
export { parseBundleSpec } from './parse-bundle-spec.js';
export { prepareBundle, type PrepareBundleInput, type PrepareBundleOptions, type PreparedBundle } from './prepare-bundle.js';
export {
  isTargeted,
  renderCacheKey,
  renderForCluster,
  renderSerialized,
  type ClusterFacts,
  type SerializedRender,
  type RenderedBundle,
} from './render-for-cluster.js';
export { BundleSpecError, RenderError, RenderErrorCode, formatLocation, type SourceLocation } from './render.error.js';
export { DEFAULT_TEMPLATE_LIMITS, TemplateEngine, TemplateError, type TemplateContext, type TemplateLimits } from './template-engine.js';
export { RenderPool, type RenderPoolOptions } from './render-pool.js';
