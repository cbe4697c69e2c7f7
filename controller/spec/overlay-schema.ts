/**
 * The Overlay document: one environment made from a base (a folder of documents that name no
 * environment) and a list of patches. Kept apart from schema.ts on purpose: an Overlay is not a
 * resource steady reconciles, it is how the resources of one environment are written down.
 *
 * ```yaml
 * apiVersion: steady.dev/v1alpha1
 * kind: Overlay
 * metadata: { name: shop-staging }      # the environment it renders
 * spec:
 *   base: ../base                        # a folder, relative to this file
 *   patches:
 *     - target: Service/api
 *       merge: { spec: { desiredCount: 1 } }
 *     - target: AliasRecord/api-dns
 *       jsonPatch: [{ op: replace, path: /spec/name, value: api.staging.example.com }]
 * ```
 */
import { z } from 'zod';
import { API_VERSION, KINDS } from './schema.js';

export const OVERLAY_KIND = 'Overlay' as const;

/** `Environment`, or `Kind/name` of another kind. */
const TARGET = new RegExp(`^(Environment|(${KINDS.filter((k) => k !== 'Environment').join('|')})/[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$`);

const jsonPatchOp = z
  .strictObject({
    op: z.enum(['add', 'remove', 'replace']).meta({ description: 'RFC 6902 operations: add, remove and replace (no move, copy or test).' }),
    path: z
      .string()
      .regex(/^(\/[^/]*)+$/, 'expected a JSON pointer such as /spec/name')
      .meta({
        description:
          'An RFC 6901 pointer into the document (~1 for /, ~0 for ~). A list item is named by its index, by - (add: the end), ' +
          'or by its `name` (containers[app]: /spec/taskDefinition/containers/app).',
      }),
    value: z.unknown().optional().meta({ description: 'The value to add or put in place (add, replace).' }),
  })
  .superRefine((op, ctx) => {
    if (op.op === 'remove' && op.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'remove takes no value' });
    if (op.op !== 'remove' && op.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `missing required field, ${op.op} needs a value` });
  });

const patch = z
  .strictObject({
    target: z
      .string()
      .regex(TARGET, `expected Environment, or Kind/name of a document of the base (${KINDS.filter((k) => k !== 'Environment').join(', ')})`)
      .meta({ description: 'The base document to patch: `Environment`, or `Kind/name` such as `Service/api`.' }),
    merge: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({
        description:
          'A strategic merge patch shaped like the document: mappings merge key by key (environment variables and secrets by ' +
          'name), containers merge by `name` (each named container must exist in the base), every other list and value replaces ' +
          "the base's whole.",
      }),
    jsonPatch: z.array(jsonPatchOp).min(1).optional().meta({ description: 'RFC 6902 operations, applied in order, for what a merge cannot say (removing a field, adding a container).' }),
  })
  .superRefine((p, ctx) => {
    if ((p.merge === undefined) === (p.jsonPatch === undefined)) ctx.addIssue({ code: 'custom', message: 'expected exactly one of merge and jsonPatch' });
  });

/** The Overlay kind's schema (also the source of crds/overlay.yaml). */
export const overlaySchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(OVERLAY_KIND),
  metadata: z.strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a name of lower-case letters, digits and hyphens (at most 63)')
      .meta({ description: 'The environment this overlay renders: every document of the base is given it.' }),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.strictObject({
    base: z
      .string()
      .min(1)
      .refine((b) => !b.startsWith('/') && !b.includes('\\'), 'expected a folder relative to this file, with / separators (such as ../base)')
      .meta({ description: "The base: a folder, relative to this file, of documents that name no environment. It must be part of the spec set." }),
    patches: z.array(patch).default([]).meta({ description: 'Applied in order.' }),
  }),
}).meta({ description: 'One environment made from a base (a folder of documents that name no environment) and patches. Not a resource: steady reconciles what it renders.' });

export type OverlayDoc = z.output<typeof overlaySchema>;
export type OverlayPatch = OverlayDoc['spec']['patches'][number];
export type JsonPatchOp = NonNullable<OverlayPatch['jsonPatch']>[number];
