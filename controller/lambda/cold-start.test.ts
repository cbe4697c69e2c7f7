/**
 * What the Lambda's cold start loads: the artefact's entry file and the chunks it imports
 * statically, built with the deployed options (deploy/bundling.ts). Packages used only for rare
 * calls are imported with `import()` where they are used and so sit in chunks loaded then; a static
 * import of one of them (an `import { CloudFrontClient }` instead of `import type`) puts it back
 * into every cold start, and this test fails. How long a cold start takes is measured by
 * `npm run bench` (bench/coldstart.ts), not here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions, HANDLER_ENTRY, REPOSITORY_ROOT } from '../../deploy/bundling.js';

/** Packages (and files) a cold start must not load, and where they are used. */
const LOADED_WHEN_FIRST_USED: { input: RegExp; usedBy: string }[] = [
  { input: /node_modules\/@aws-sdk\/client-cloudfront\//, usedBy: 'aws/clients.ts (LazyClient) and aws/cloudfront.ts: an alias to a distribution, maintenance' },
  { input: /node_modules\/@aws-sdk\/client-codedeploy\//, usedBy: 'aws/clients.ts (LazyClient) and aws/codedeploy.ts: a blue/green service' },
  { input: /node_modules\/@aws-sdk\/client-sts\//, usedBy: 'aws/accounts.ts: an environment in another account' },
  { input: /node_modules\/@aws-sdk\/client-sqs\//, usedBy: 'lambda/dispatch.ts: fanning out' },
  { input: /node_modules\/@aws-sdk\/client-sesv2\//, usedBy: 'lambda/app.ts (LazyClient) and report/email.ts: an email notification' },
  { input: /node_modules\/@aws-sdk\/client-ssm\//, usedBy: 'report/secrets.ts: a webhook URL in SSM' },
  { input: /node_modules\/@aws-sdk\/client-secrets-manager\//, usedBy: 'report/secrets.ts: a webhook URL in Secrets Manager' },
  { input: /node_modules\/aws-xray-sdk-core\//, usedBy: 'lambda/tracing.ts: only when tracing is on' },
  { input: /node_modules\/@aws-lambda-powertools\/tracer\/lib\/esm\/Tracer\.js$/, usedBy: 'lambda/tracing.ts: only when tracing is on' },
];

let dir: string;
let meta: Metafile;
let entry: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'steady-cold-start-'));
  const file = path.join(dir, 'index.mjs');
  meta = (await build({ ...bundleOptions(HANDLER_ENTRY, file), absWorkingDir: REPOSITORY_ROOT, metafile: true, logLevel: 'silent' })).metafile;
  entry = Object.keys(meta.outputs).find((o) => path.resolve(REPOSITORY_ROOT, o) === file)!;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The outputs a cold start loads: the entry and, transitively, what it imports statically. */
function loadedAtColdStart(): Set<string> {
  const loaded = new Set<string>();
  const visit = (key: string) => {
    if (loaded.has(key)) return;
    loaded.add(key);
    for (const i of meta.outputs[key].imports) if (i.kind === 'import-statement' && meta.outputs[i.path]) visit(i.path);
  };
  visit(entry);
  return loaded;
}

const inputsOf = (outputs: string[]) => outputs.flatMap((o) => Object.keys(meta.outputs[o].inputs));

describe('the Lambda artefact at a cold start', () => {
  it('loads none of the packages used only for rare calls', () => {
    const cold = inputsOf([...loadedAtColdStart()]);

    // The entry really is the handler, with the clients every pass uses.
    expect(cold).toContain('controller/lambda/handler.ts');
    expect(cold.some((i) => i.includes('node_modules/@aws-sdk/client-ecs/'))).toBe(true);
    for (const { input, usedBy } of LOADED_WHEN_FIRST_USED) {
      expect(cold.filter((i) => input.test(i)), `${input} is loaded at every cold start; it is used by ${usedBy} and must be imported there with import()`).toEqual([]);
    }
  });

  it('has each of them in a chunk of its own, loaded when first used', () => {
    const cold = loadedAtColdStart();
    const lazy = inputsOf(Object.keys(meta.outputs).filter((o) => !cold.has(o) && o.endsWith('.mjs')));

    for (const { input } of LOADED_WHEN_FIRST_USED) expect(lazy.some((i) => input.test(i)), `${input} is in no lazily loaded chunk`).toBe(true);
    // The entry imports them with import(): esbuild names the chunks it loads later as dynamic imports.
    expect(meta.outputs[entry].imports.filter((i) => i.kind === 'dynamic-import').length).toBeGreaterThan(0);
  });
});
