/**
 * The artefact, not the sources: the handler as the CDK app bundles it for deployment (synthesized
 * once for this file, with the local esbuild), loaded in fresh Node.js processes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHandlerBundle, REPOSITORY_ROOT } from '../../deploy/bundling.js';
import { deployConfig } from '../../deploy/context.js';
import { SteadyStack } from '../../deploy/stack.js';
import type { InvocationSummary } from './app.js';
import { shopProdFiles, SPEC_BUCKET, startHandlerWorld } from './testkit.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));

let world: Awaited<ReturnType<typeof startHandlerWorld>>;
let dir: string;
let artefact: { file: string; bytes: number };
let table: string;

/** Synthesizes the stack as `cdk synth` would and returns the function's bundled file. */
function deployedArtefact(outdir: string): { file: string; bytes: number } {
  const app = new App({ outdir });
  new SteadyStack(app, 'Steady', { config: deployConfig(() => undefined), env: { account: '123456789012', region: 'ap-northeast-1' } });
  app.synth();
  const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.') && readdirSync(path.join(outdir, d)).includes('index.mjs'));
  if (assets.length !== 1) throw new Error(`expected one bundled function asset in ${outdir}, found ${assets.join(', ') || 'none'}`);
  const file = path.join(outdir, assets[0], 'index.mjs');
  return { file, bytes: statSync(file).size };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'steady-artefact-'));
  world = await startHandlerWorld();
  artefact = deployedArtefact(path.join(dir, 'cdk.out'));
  table = (await world.config()).table;
  await world.publish(shopProdFiles(), 'shop-prod');
});
afterAll(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Only what Lambda would give the function: no inherited endpoints, no NODE_OPTIONS. */
function lambdaEnv(prefix: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'ap-northeast-1',
    // Lambda sets it; Powertools reads it to tell a cold start.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret-key',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL_S3: world.s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: world.dynamoEndpoint,
    STEADY_SPEC_BUCKET: SPEC_BUCKET,
    STEADY_SPEC_PREFIX: prefix,
    STEADY_TABLE: table,
    STEADY_NOTIFY: 'false',
  };
}

function jsonLines(stdout: string): Record<string, any>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

describe('the bundled handler', () => {
  it('is one ESM file of a reasonable size (printed)', () => {
    console.info(`steady Lambda artefact: ${artefact.bytes} bytes (${(artefact.bytes / 1024 / 1024).toFixed(2)} MiB) at ${artefact.file}`);
    expect(artefact.bytes).toBeGreaterThan(100_000);
    expect(artefact.bytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('is what `npm run bundle` builds, byte for byte', async () => {
    const built = await buildHandlerBundle(mkdtempSync(path.join(dir, 'bundle-')));
    expect(readFileSync(built.file).equals(readFileSync(artefact.file))).toBe(true);
  });

  it('loads in a plain node process with nothing but itself (no node_modules, no tsx) and reads S3 through its own SDK', async () => {
    const script = `
      const { handler } = await import(${JSON.stringify(artefact.file)});
      const context = { awsRequestId: 'r1', functionName: 'steady', getRemainingTimeInMillis: () => 60000 };
      const summary = await handler({ environment: 'shop-prod', dryRun: true }, context);
      console.log('STEADY_RESULT ' + JSON.stringify(summary));`;
    // cwd is the artefact's own folder in the system temp directory: no node_modules above it.
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env: lambdaEnv('nothing-published-here'), timeout: 60_000 });

    const summary = JSON.parse(stdout.slice(stdout.indexOf('STEADY_RESULT ') + 'STEADY_RESULT '.length)) as InvocationSummary;
    expect(summary).toMatchObject({
      trigger: 'manual',
      ok: false,
      dryRun: true,
      specsError: { kind: 'pointer-missing', message: `reading s3://${SPEC_BUCKET}/nothing-published-here/HEAD: nothing is published under s3://${SPEC_BUCKET}/nothing-published-here/ (the prefix is empty); publish specs with steady apply` },
    });
    // Powertools writes warnings and errors to stderr, the rest to stdout; Lambda sends both to the log.
    expect(jsonLines(stderr).find((l) => l.level === 'ERROR')).toMatchObject({ errorKind: 'pointer-missing', function_request_id: 'r1', cold_start: true });
  });

  it('runs passes: converges the example environment from the published commit, then has nothing to do', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(HERE, 'bundle-harness.ts'), artefact.file, path.join(HERE, 'testdata', 'eventbridge-scheduled.json')],
      { cwd: REPOSITORY_ROOT, env: lambdaEnv('shop-prod'), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );

    const result = JSON.parse(stdout.slice(stdout.indexOf('STEADY_RESULT ') + 'STEADY_RESULT '.length)) as { summaries: InvocationSummary[]; mutatingCalls: string[] };
    const [first, second] = result.summaries.map((s) => {
      expect(s).toMatchObject({ trigger: 'schedule', ok: true });
      return s.environments[0];
    });
    expect(first).toMatchObject({ environment: 'shop-prod', outcome: 'ok', actions: { failed: 0, pending: 0, blocked: 0 } });
    expect(first.changes.map((c) => c.kind)).toEqual(expect.arrayContaining(['RegisterTaskDefinition', 'RunMigration', 'CreateService', 'ChangeRecords']));
    expect(result.mutatingCalls).toEqual(expect.arrayContaining(['ecs:RegisterTaskDefinition', 'ecs:RunTask', 'ecs:CreateService', 'route53:ChangeResourceRecordSets']));
    // The second invocation took the lease its predecessor released, and found nothing to change.
    expect(second).toMatchObject({ outcome: 'ok', actions: { planned: 0 }, summary: expect.stringMatching(/^No changes\./) });

    const lines = jsonLines(stdout.slice(0, stdout.indexOf('STEADY_RESULT ')));
    const emf = lines.filter((l) => l._aws);
    expect(emf.filter((l) => l.environment === 'shop-prod').map((l) => l.DriftHealed)).toEqual([first.drift.healed, 0]);
    expect(emf.find((l) => l.ColdStart === 1)).toMatchObject({ function_name: 'steady' });
    const passLines = lines.filter((l) => l.passId === first.passId);
    expect(passLines.length).toBeGreaterThan(1);
    for (const l of passLines) expect(l).toMatchObject({ environment: 'shop-prod', function_request_id: '11111111-1111-4111-8111-111111111111' });
    expect(jsonLines(stderr)).toEqual([]);
  });
});
