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
import { systemClock } from '../clock.js';
import { StateStore } from '../state/store.js';
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
  it('is one ESM entry file of a reasonable size (printed), with the code it imports when first used in chunks beside it', () => {
    console.info(`steady Lambda artefact: ${artefact.bytes} bytes (${(artefact.bytes / 1024 / 1024).toFixed(2)} MiB) at ${artefact.file}`);
    expect(artefact.bytes).toBeGreaterThan(100_000);
    expect(artefact.bytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('is what `npm run bundle` builds, byte for byte, chunks included', async () => {
    const built = await buildHandlerBundle(mkdtempSync(path.join(dir, 'bundle-')));
    expect(readFileSync(built.file).equals(readFileSync(artefact.file))).toBe(true);
    // SSM's and Secrets Manager's clients (a webhook URL, read once) are chunks of their own.
    expect(built.chunks.length).toBeGreaterThan(2);
    for (const chunk of built.chunks) expect(readFileSync(path.join(path.dirname(built.file), chunk)).equals(readFileSync(path.join(path.dirname(artefact.file), chunk)))).toBe(true);
    expect(built.chunks.some((c) => readFileSync(path.join(path.dirname(built.file), c), 'utf8').includes('GetParameterCommand'))).toBe(true);
    expect(readFileSync(built.file, 'utf8').includes('import("./chunks/')).toBe(true);
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

  it('stops in time, logs what it refuses, and keeps every log line short: a hanging call, a malformed S3 key, a 5 MB field, 100,000 records, 20,000 unknown environments', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(HERE, 'bundle-guards-harness.ts'), artefact.file], {
      cwd: REPOSITORY_ROOT,
      env: { ...lambdaEnv('shop-prod'), STEADY_TIME_MARGIN_SECONDS: '4' },
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const results = JSON.parse(stdout.slice(stdout.indexOf('STEADY_RESULT ') + 'STEADY_RESULT '.length)) as Record<string, { answer?: InvocationSummary; error?: { name: string; message: string } }>;
    const linesOf = (scenario: string) =>
      [stdout, stderr].flatMap((text) => {
        const from = text.indexOf(`STEADY_SCENARIO ${scenario}\n`);
        const rest = text.slice(from + `STEADY_SCENARIO ${scenario}\n`.length);
        const end = rest.search(/STEADY_(SCENARIO|RESULT) /);
        return (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((l) => l.length > 0);
      });
    const logsOf = (scenario: string) => linesOf(scenario).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);

    // A call that never answers: the pass is given up, recorded as interrupted and its lease released, before the function's time is up (middy's timeout would have answered with an error).
    const hung = results.hangingCall.answer!.environments[0];
    expect(hung).toMatchObject({ environment: 'shop-prod', verdict: 'interrupted', interrupted: { reason: 'outOfTime', stage: 'observe' } });
    expect(hung.interrupted!.message).toBe('the invocation ran out of time; the pass did not stop in time and was left behind while reading AWS: what it did is not in this record, the next pass observes it');
    const store = new StateStore({ client: world.dynamodb, tableName: table, clock: systemClock });
    expect(await store.readLease('shop-prod')).toMatchObject({ state: 'released', holder: hung.passId });
    expect((await store.listPasses('shop-prod', 0)).find((p) => p.passId === hung.passId)).toMatchObject({ interrupted: { reason: 'outOfTime', stage: 'observe' } });

    // A malformed %-encoded key: refused, with a log line that says what and where.
    expect(results.malformedKey.error).toMatchObject({ name: 'InvalidEventError' });
    expect(logsOf('malformedKey').find((l) => l.level === 'ERROR')?.message).toBe(
      'invalid event: the S3 notification\'s object key in bucket steady-specs is not valid URL encoding (a % not followed by two hex digits of UTF-8): "shop-prod/%E0%A4%A"; S3 does not send such keys, so the event was not acted on',
    );

    // A 5 MB field: refused, the value and the event cut short in the log.
    expect(results.hugeField.error).toMatchObject({ name: 'InvalidEventError' });
    const huge = logsOf('hugeField').find((l) => l.level === 'ERROR')!;
    expect(huge.message).toMatch(/^invalid event: "dryRun" must be true or false, got "x{199}… \(5242\d{3} more characters\)$/);
    expect(huge.event.dryRun).toMatch(/^x{2000}… \(5240880 more characters\)$/);

    // 100,000 S3 records for other keys: ignored, in one short line.
    expect(results.manyRecords.answer).toMatchObject({ trigger: 'ignored', ok: true });
    expect(results.manyRecords.answer!.ignored).toMatch(/^not a new HEAD of s3:\/\/steady-specs\/shop-prod\/: s3:\/\/steady-specs\/elsewhere\/object-0\.yaml \(ObjectCreated:Put\), .* and 99995 more$/);

    // 20,000 environments the commit does not have: one ERROR line and one entry in the answer.
    const unknown = results.manyUnknown.answer!;
    expect(unknown).toMatchObject({ ok: false, environments: [], unknownEnvironments: { count: 20_000 } });
    expect(unknown.unknownEnvironments!.names).toHaveLength(10);
    expect(unknown.unknownEnvironments!.message).toMatch(/^20000 environments named by the event are not in commit [0-9a-f]{12} \(it has: shop-prod\): env-0, env-1, .*, env-9 and 19990 more; nothing was done for them$/);
    expect(logsOf('manyUnknown').filter((l) => l.level === 'ERROR').map((l) => l.message)).toEqual([unknown.unknownEnvironments!.message]);
    expect(JSON.stringify(unknown).length).toBeLessThan(4_000);

    // No log line of any scenario is long: CloudWatch keeps every one whole.
    for (const scenario of Object.keys(results)) {
      for (const line of linesOf(scenario)) expect(line.length, `${scenario}: ${line.slice(0, 200)}`).toBeLessThan(16 * 1024);
    }
  });
});
