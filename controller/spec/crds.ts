/**
 * Generates crds/: one CustomResourceDefinition-style document per kind, whose OpenAPI v3
 * schema is produced from the zod schemas in schema.ts, so the contract users read and the
 * validator steady runs cannot disagree. `npm run crds` rewrites the folder; crds.test.ts fails
 * when it is out of date.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { z } from 'zod';
import { OVERLAY_KIND, overlaySchema } from './overlay-schema.js';
import { API_VERSION, KINDS, SCHEMAS, type Kind } from './schema.js';

/** A kind with a CRD: the resource kinds, and the Overlay (how a base becomes an environment). */
type CrdKind = Kind | typeof OVERLAY_KIND;

/** The repository's crds/ folder. */
export const CRDS_DIR = fileURLToPath(new URL('../../crds/', import.meta.url));

const [GROUP, VERSION] = API_VERSION.split('/') as [string, string];

const HEADER = '# Generated from controller/spec/schema.ts by `npm run crds`. Do not edit: change the schema and regenerate.\n';

/** `Service` -> `service.yaml` */
export function crdFileName(kind: CrdKind): string {
  return `${kind.toLowerCase()}.yaml`;
}

/**
 * The CRD document of one kind, as YAML text.
 *
 * @example
 * renderCrd('Service') // '# Generated ...\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n...'
 */
export function renderCrd(kind: CrdKind): string {
  const singular = kind.toLowerCase();
  const plural = `${singular}s`;
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular },
      // steady has no namespaces: a resource belongs to an Environment through metadata.environment.
      scope: 'Cluster',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          // The input side: what users write, before defaults are filled and values normalised.
          schema: { openAPIV3Schema: z.toJSONSchema(kind === OVERLAY_KIND ? overlaySchema : SCHEMAS[kind], { io: 'input', target: 'openapi-3.0' }) },
        },
      ],
    },
  };
  return HEADER + stringify(crd, { lineWidth: 0 });
}

/** Every CRD file: file name -> content. */
export function renderCrds(): Map<string, string> {
  const kinds: CrdKind[] = [...KINDS, OVERLAY_KIND];
  return new Map(kinds.map((kind) => [crdFileName(kind), renderCrd(kind)]));
}

/** Rewrites crds/ and removes any YAML file in it that no kind produces any more. */
export function writeCrds(dir = CRDS_DIR): string[] {
  const files = renderCrds();
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (/\.ya?ml$/.test(name) && !files.has(name)) rmSync(path.join(dir, name));
  }
  for (const [name, content] of files) writeFileSync(path.join(dir, name), content);
  return [...files.keys()];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const name of writeCrds()) console.log(`wrote crds/${name}`);
}
