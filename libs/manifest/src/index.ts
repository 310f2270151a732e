// The bundle format's vocabulary shared by the hub's renderer and the agent: the spec schema, Kubernetes
// object helpers, label selectors and apply order. Only zod: the agent loads this without the template
// engine, YAML parser and kustomize runner of @flotilla/render.
export { sortForApply } from './apply-order.js';
export { BUNDLE_LABEL } from './bundle-label.js';
export {
  applyPolicySchema,
  bundleSpecSchema,
  DEFAULT_TAKEOVER,
  DNS_1123_LABEL,
  type ApplyPolicy,
  type BundlePatch,
  type BundleSpec,
  type JsonPatchOperation,
  type ObjectTarget,
} from './bundle-spec.schema.js';
export { parseDuration } from './duration.js';
export { describeObject, groupOf, identityOf, type KubeObject } from './kube-object.js';
export {
  labelKeyProblem,
  labelSelectorSchema,
  labelValueProblem,
  matchesLabelSelector,
  type LabelSelector,
  type LabelSelectorRequirement,
} from './label-selector.js';
export { matchesObjectTarget } from './object-target.js';
