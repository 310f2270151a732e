import { z } from 'zod';
import { parseDuration } from './duration.js';
import { labelSelectorSchema } from './label-selector.js';

/** RFC 1123 label, as Kubernetes names and label values of bundles must be. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const dnsLabel = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(DNS_1123_LABEL, 'must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending alphanumeric');

const duration = z.string().refine((text) => parseDuration(text) !== undefined, { message: 'expected a duration such as 30s, 5m or 1h30m' });

/** A count, or a percentage such as "25%". */
const countOrPercent = (min: number) =>
  z.union([
    z.number().int().min(min, `must be at least ${min}`),
    z.string().regex(/^(100|[1-9]?\d)%$/, 'expected a whole percentage from 0% to 100%'),
  ]);

const jsonPointer = z.string().regex(/^(\/([^~/]|~[01])*)*$/, 'expected a JSON pointer such as /spec/replicas');

/** Which rendered objects a patch or an ignore rule applies to; every given field must match. */
export const objectTargetSchema = z
  .object({
    group: z.string().optional(),
    version: z.string().optional(),
    kind: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    namespace: z.string().min(1).optional(),
    labelSelector: labelSelectorSchema.optional(),
  })
  .strict();

const jsonPatchOperation = z.discriminatedUnion(
  'op',
  [
    z.object({ op: z.literal('add'), path: jsonPointer, value: z.unknown() }).strict(),
    z.object({ op: z.literal('remove'), path: jsonPointer }).strict(),
    z.object({ op: z.literal('replace'), path: jsonPointer, value: z.unknown() }).strict(),
    z.object({ op: z.literal('move'), from: jsonPointer, path: jsonPointer }).strict(),
    z.object({ op: z.literal('copy'), from: jsonPointer, path: jsonPointer }).strict(),
    z.object({ op: z.literal('test'), path: jsonPointer, value: z.unknown() }).strict(),
  ],
  { message: 'expected op add, remove, replace, move, copy or test' },
);

const patchSchema = z
  .object({
    target: objectTargetSchema,
    merge: z.record(z.string(), z.unknown()).optional(),
    jsonPatch: z.array(jsonPatchOperation).min(1).optional(),
  })
  .strict()
  .refine((patch) => (patch.merge === undefined) !== (patch.jsonPatch === undefined), {
    message: 'a patch has exactly one of merge or jsonPatch',
  });

const valuesSchema = z.record(z.string(), z.unknown());

export const DEFAULT_TAKEOVER = ['kubectl', 'kubectl-edit', 'kubectl-client-side-apply', 'kubectl-patch', 'before-first-apply'];

export const applyPolicySchema = z
  .object({
    prune: z.boolean().default(true),
    drift: z.enum(['correct', 'report', 'ignore'], { message: 'expected correct, report or ignore' }).default('correct'),
    forceConflicts: z.boolean().default(false),
    takeover: z.array(z.string().min(1)).default(DEFAULT_TAKEOVER),
    ignore: z.array(z.object({ target: objectTargetSchema, paths: z.array(jsonPointer).min(1) }).strict()).default([]),
    adopt: z.boolean().default(false),
    deletionPolicy: z.enum(['delete', 'orphan'], { message: 'expected delete or orphan' }).default('delete'),
  })
  .strict();

const waveSchema = z
  .object({
    name: dnsLabel,
    selector: labelSelectorSchema.optional(),
    maxConcurrent: countOrPercent(1).default(1),
    approval: z.boolean().default(false),
  })
  .strict();

const rolloutSchema = z
  .object({
    waves: z
      .array(waveSchema)
      .min(1, 'a rollout needs at least one wave')
      .refine((waves) => new Set(waves.map((w) => w.name)).size === waves.length, { message: 'wave names must be unique' }),
    bake: duration.default('0s'),
    progressDeadline: duration.default('10m'),
    maxFailures: countOrPercent(0).default(0),
    onFailure: z.enum(['rollback', 'pause'], { message: 'expected rollback or pause' }).default('rollback'),
  })
  .strict();

/** The schema of `flotilla.yaml` (design.md §4 and §7). Unknown fields are errors, not ignored. */
export const bundleSpecSchema = z
  .object({
    name: dnsLabel.optional(),
    namespace: dnsLabel.optional(),
    targets: z.array(z.object({ selector: labelSelectorSchema }).strict()).default([]),
    values: valuesSchema.default({}),
    overlays: z
      .array(
        z
          .object({
            selector: labelSelectorSchema,
            values: valuesSchema.optional(),
            patches: z.array(patchSchema).default([]),
          })
          .strict(),
      )
      .default([]),
    apply: applyPolicySchema.default(applyPolicySchema.parse({})),
    dependsOn: z
      .array(dnsLabel)
      .default([])
      .refine((names) => new Set(names).size === names.length, { message: 'dependsOn lists a bundle twice' }),
    suspend: z.boolean().default(false),
    rollout: rolloutSchema.optional(),
  })
  .strict();

/** A validated flotilla.yaml, defaults filled in; `name` is always set (the directory name by default). */
export type BundleSpec = z.output<typeof bundleSpecSchema> & { readonly name: string };
export type ApplyPolicy = z.output<typeof applyPolicySchema>;
export type ObjectTarget = z.output<typeof objectTargetSchema>;
export type BundlePatch = z.output<typeof patchSchema>;
export type JsonPatchOperation = z.output<typeof jsonPatchOperation>;
