import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CRDS_DIR, renderCrds } from './crds.js';

describe('crds/', () => {
  const expected = renderCrds();

  it('holds exactly one file per kind', () => {
    const files = readdirSync(CRDS_DIR).filter((name) => /\.ya?ml$/.test(name));

    expect(files.sort(), 'crds/ does not match the kinds in controller/spec/schema.ts: run npm run crds').toEqual([...expected.keys()].sort());
  });

  it.each([...expected])('%s matches controller/spec/schema.ts', (name, content) => {
    const actual = readFileSync(path.join(CRDS_DIR, name), 'utf8');

    expect(actual, `crds/${name} is out of date with controller/spec/schema.ts: run npm run crds`).toBe(content);
  });

  it('describes each kind as a CustomResourceDefinition of steady.dev/v1alpha1', () => {
    const crd = parse(expected.get('service.yaml') ?? '');

    expect(crd).toMatchObject({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'services.steady.dev' },
      spec: { group: 'steady.dev', names: { kind: 'Service', plural: 'services' }, versions: [{ name: 'v1alpha1', served: true, storage: true }] },
    });
    const schema = crd.spec.versions[0].schema.openAPIV3Schema;
    expect(schema.description).toBe('An ECS service on Fargate and the task definition it must run.');
    expect(schema.properties.spec.properties.desiredCount).toEqual({ default: 1, type: 'integer', minimum: 0, maximum: 5000 });
    expect(schema.properties.spec.additionalProperties).toBe(false);
  });
});
