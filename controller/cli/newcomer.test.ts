/**
 * Issue 22, "a newcomer's first hour": each item through the real binary (`node bin/steady.js`),
 * as a person or CI runs it: the exit code, the stream, and the first line. The local state table
 * is dynalite, as the README's recipe has it; AWS is the simulated account of `--sim`.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb, type LocalServer } from '../testing/servers.js';
import { runBinary, runCli } from '../testing/cli.js';
import { EXAMPLES_FIXTURE, SPECS_DIR } from '../testing/world.js';

const SIM = ['--sim', EXAMPLES_FIXTURE];
/** The shop example: a base with shop-prod and shop-staging overlays (issue 23). */
const SHOP = path.join(SPECS_DIR, 'shop');
/** The shop example written flat, one environment (shop-prod), for the tests that edit a file of it. */
const FLAT_SHOP = fileURLToPath(new URL('../spec/testdata/flat-shop/', import.meta.url));
/** No region anywhere: not in the environment, not in a profile. */
const NO_REGION = { AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_PROFILE: '' };
const first = (text: string) => text.split('\n')[0];

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'steady-newcomer-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the flat shop with `change` applied to api.yaml, or an extra file. */
function shopWith(name: string, change: (api: string) => string, extra?: [file: string, content: string]): string {
  const dir = path.join(scratch, name);
  cpSync(FLAT_SHOP, dir, { recursive: true });
  const api = path.join(dir, 'api.yaml');
  writeFileSync(api, change(readFileSync(api, 'utf8')));
  if (extra) writeFileSync(path.join(dir, extra[0]), extra[1]);
  return dir;
}
const sized = (cpu: string, memory: string) => (api: string) => api.replace('cpu: "512"', `cpu: ${cpu}`).replace('memory: "1 GB"', `memory: ${memory}`);

describe('CLI manners', { timeout: 180_000 }, () => {
  it('--env takes one value: the path after it is a path, and a comma list or a repeat names several', async () => {
    const one = await runBinary(['plan', '--env', 'shop-prod', SPECS_DIR, ...SIM]);
    expect(one.code).toBe(2);
    expect(first(one.stdout)).toMatch(/^shop-prod: Plan: /);
    expect(one.stdout).not.toContain('messaging-prod');

    const two = await runCli('plan', '--env', 'shop-prod,messaging-prod', SPECS_DIR, ...SIM, '-o', 'json');
    expect(two.code).toBe(2);
    expect(JSON.parse(two.stdout).environments.map((e: { environment: string }) => e.environment).sort()).toEqual(['messaging-prod', 'shop-prod']);

    const unknown = await runCli('verify', '--env', 'nope', '--env', 'shop-prod', SPECS_DIR, ...SIM);
    expect(unknown.code).toBe(1);
    expect(first(unknown.stderr)).toBe('error: no environment nope in the specs (there are: messaging-prod, shop-prod, shop-staging)');

    // Each value may be a pattern (issue 17), through the real binary too.
    const prods = await runBinary(['plan', '--env', '*-prod', SPECS_DIR, ...SIM, '-o', 'json']);
    expect(prods.code).toBe(2);
    expect(JSON.parse(prods.stdout).environments.map((e: { environment: string }) => e.environment).sort()).toEqual(['messaging-prod', 'shop-prod']);
    const typo = await runBinary(['plan', '--env', 'shop-prod,shp-*', SPECS_DIR, ...SIM]);
    expect({ code: typo.code, stdout: typo.stdout, first: first(typo.stderr) }).toEqual({
      code: 1,
      stdout: '',
      first: 'error: no environment shp-* in the specs (there are: messaging-prod, shop-prod, shop-staging)',
    });
  });

  it('a usage error exits 2 on stderr with error: and the usage line; plan and diff exit 1, their 2 meaning changes', async () => {
    const [validate, plan] = [await runBinary(['validate', '--bogus']), await runBinary(['plan', '--bogus'])];
    const [diff, command] = [await runCli('diff', '--bogus'), await runCli('frobnicate')];
    expect(validate).toMatchObject({ code: 2, stdout: '' });
    expect(validate.stderr.split('\n').slice(0, 2)).toEqual(["error: unknown option '--bogus'", 'usage: steady validate [options] [paths...]']);
    expect(plan).toMatchObject({ code: 1, stdout: '' });
    expect(plan.stderr.split('\n').slice(0, 2)).toEqual(["error: unknown option '--bogus'", 'usage: steady plan [options] [paths...]']);
    expect(diff.code).toBe(1);
    expect(first(diff.stderr)).toBe("error: unknown option '--bogus'");
    expect(command.code).toBe(2);
    expect(first(command.stderr)).toBe("error: unknown command 'frobnicate'");
  });

  it('a bad value for --env is a usage error', async () => {
    const { code, stderr } = await runCli('status', '--env', 'a,,b', '--table', 't');
    expect(code).toBe(2);
    expect(first(stderr)).toBe("error: option '-e, --env <name>' argument 'a,,b' is invalid. expected an environment name or a comma-separated list of them, got \"a,,b\"");
  });

  it('retry speaks JSON, and its help lists its exit codes and examples', async () => {
    const json = await runBinary(['retry', 'migration/nope', '--env', 'shop-prod', SPECS_DIR, ...SIM, '-o', 'json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ command: 'retry', exitCode: 1, ok: false, error: { message: 'no Migration nope in environment shop-prod' } });
    expect(first(json.stderr)).toBe('error: no Migration nope in environment shop-prod');

    const help = await runCli('retry', '--help');
    expect(help.code).toBe(0);
    expect(first(help.stdout)).toBe('Usage: steady retry [options] <resource> [paths...]');
    expect(help.stdout).toContain('\nExamples:\n  # Run the failed migration version again on the next pass\n  steady retry migration/db-migrate --env shop-prod --table steady-state\n');
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      'Exit codes: 0 done (or nothing to forget), 1 the resource is unknown or AWS refused, 2 usage error (also: no --table and no --no-lease), 3 another run holds the lease (nothing was changed), 130 stopped with Ctrl-C (nothing was changed).',
    );
  });

  it('every command has examples in its help', async () => {
    const list = await runCli('--help');
    const commands = [...list.stdout.matchAll(/^ {2}([a-z]+)(?:\|[a-z]+)? /gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThanOrEqual(13);
    for (const command of commands) {
      const { code, stdout } = await runCli(command, '--help');
      expect({ command, code }).toEqual({ command, code: 0 });
      expect(stdout, command).toMatch(/\nExamples:\n {2}# .+\n {2}steady /);
      expect(stdout, command).toMatch(/\nExit codes[ :(]/);
    }
    const binary = await runBinary(['help', 'diff']);
    expect(binary.stdout).toContain('\nExamples:\n  # What the uncommitted spec changes change\n  steady diff\n');
  });

  it('FORCE_COLOR and --color decide colour; NO_COLOR and a pipe mean none', async () => {
    const shop = SHOP;
    const forced = await runBinary(['validate', shop], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    const never = await runBinary(['validate', shop, '--color', 'never'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    const [plain, always] = [await runCli('validate', shop), await runCli('validate', shop, '--color', 'always')];
    expect(plain.stdout).toBe('✓ shop-prod     1 service, 1 migration, 1 scheduled task, 2 alias records\n✓ shop-staging  1 service, 1 migration, 1 scheduled task, 1 alias record\n2 environments, 9 resources valid\n');
    expect(first(forced.stdout)).toBe('\u001b[32m✓\u001b[39m \u001b[1mshop-prod   \u001b[22m  1 service, 1 migration, 1 scheduled task, 2 alias records');
    expect(always.stdout).toBe(forced.stdout);
    expect(never.stdout).toBe(plain.stdout);
  });

  it('a piped report is wrapped to 100 columns; progress lines of long waits only when asked (on a terminal by default)', async () => {
    const shop = [SHOP, '--env', 'shop-prod'];
    const piped = await runBinary(['reconcile', ...shop, ...SIM]);
    expect(piped.code).toBe(0);
    // The first line is the verdict, kept whole (grep, Slack and the JSON say it the same way).
    const lengths = piped.stdout.split('\n').slice(1).map((l) => [...l].length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(100);
    expect(Math.max(...lengths)).toBeGreaterThan(80);
    expect(piped.stderr).toBe(`reconciling shop-prod in the simulated organisation of 123456789012 (${EXAMPLES_FIXTURE})…\n`);

    const progress = await runBinary(['reconcile', ...shop, ...SIM, '--progress', 'always']);
    expect(progress.code).toBe(0);
    expect(progress.stderr.split('\n')[1]).toMatch(/^… AliasRecord\/apex-dns, AliasRecord\/api-dns: waiting for Route 53 change \w+ to reach INSYNC: PENDING, /);
    expect(first(progress.stdout)).toBe(first(piped.stdout));
  });

  it('publish is the command, apply its alias, and the help says it changes no AWS resource', async () => {
    const [publish, apply] = [await runBinary(['publish', '--help']), await runCli('apply', '--help')];
    expect(first(publish.stdout)).toBe('Usage: steady publish|apply [options] [paths...]');
    expect(apply.stdout).toBe(publish.stdout);
    expect(publish.stdout.replace(/\s+/g, ' ')).toContain('It changes no AWS resource: it writes only to the spec bucket');
  });

  it('without a region, every command that needs one says where a region comes from', async () => {
    const where = 'it comes from --region, AWS_REGION, or the region of the AWS profile (AWS_PROFILE, ~/.aws/config)';
    const runs = [];
    for (const args of [['status', '--table', 'steady-state'], ['publish', path.join(SPECS_DIR, 'shop'), '--bucket', 'my-steady-specs'], ['plan', '--from', 's3://my-steady-specs/shop-prod'], ['import', '--cluster', 'shop-prod']]) {
      runs.push(await runBinary(args, { env: NO_REGION }));
    }
    expect(runs.map((r) => [r.code, r.stdout, first(r.stderr)])).toEqual([
      [2, '', `error: no AWS region for the state table steady-state: ${where}`],
      [2, '', `error: no AWS region for the spec bucket my-steady-specs: ${where}`],
      [1, '', `error: no AWS region for the spec bucket my-steady-specs: ${where}`],
      [2, '', `error: no AWS region for the cluster shop-prod: ${where}`],
    ]);
  });

  it('--sim refuses a fixture key it does not know, saying where', async () => {
    const fixture = path.join(scratch, 'typo.yaml');
    writeFileSync(fixture, readFileSync(EXAMPLES_FIXTURE, 'utf8').replace('healthCheckPath: /healthz', 'healthcheckPath: /healthz'));
    const { code, stdout, stderr } = await runBinary(['plan', path.join(SPECS_DIR, 'shop'), '--sim', fixture]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(first(stderr)).toMatch(/^error: .*typo\.yaml: elbv2\.targetGroups\[0\]\.healthcheckPath: unknown key \(did you mean "healthCheckPath"\?\); expected one of name, port, /);
  });
});

describe('the state table: a local one (the README recipe), report --env and --pass', { timeout: 300_000 }, () => {
  let dynamo: LocalServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    dynamo = await startDynamoDb();
    env = { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint };
  });
  afterAll(() => dynamo.close());

  it('reconcile --create-table makes the table; report --env shows the last pass, --pass another', async () => {
    const shop = SHOP;
    const created = await runBinary(['reconcile', shop, '--env', 'shop-prod', ...SIM, '--table', 'steady-state', '--create-table'], { env });
    expect(created.code).toBe(0);
    // A second pass that says something else: the same specs in observe mode report the drift.
    const observe = path.join(scratch, 'observe');
    cpSync(shop, observe, { recursive: true });
    writeFileSync(path.join(observe, 'base/environment.yaml'), readFileSync(path.join(shop, 'base/environment.yaml'), 'utf8').replace('mode: enforce', 'mode: observe'));
    const later = path.join(scratch, 'later.yaml');
    writeFileSync(later, `start: 2026-01-02T00:00:00Z\n${readFileSync(EXAMPLES_FIXTURE, 'utf8')}`);
    const again = await runBinary(['reconcile', observe, '--env', 'shop-prod', '--sim', later, '--table', 'steady-state'], { env });
    expect(again.code).toBe(0);
    expect(first(again.stdout)).not.toBe(first(created.stdout));

    const last = await runBinary(['report', '--env', 'shop-prod', '--table', 'steady-state'], { env });
    expect(last.code).toBe(0);
    expect(first(last.stdout)).toBe(first(again.stdout));

    const history = JSON.parse((await runBinary(['history', '--env', 'shop-prod', '--table', 'steady-state', '--since', '400d', '-o', 'json'], { env })).stdout);
    const passes = history.passes as { passId: string; verdict: string }[];
    expect(passes.map((p) => p.verdict).sort()).toEqual(['converging', 'drifted']);
    const earlier = passes.find((p) => p.verdict === 'converging')!;
    const byId = await runBinary(['report', '--pass', earlier.passId, '--table', 'steady-state'], { env });
    expect(byId.code).toBe(0);
    expect(first(byId.stdout)).toBe(first(created.stdout));

    const status = await runBinary(['status', '--table', 'steady-state'], { env });
    expect(status.code).toBe(0);
    expect(first(status.stdout)).toMatch(/^RESOURCE +PHASE +REASON +SINCE +MESSAGE$/);
  });
});

describe('validation messages', { timeout: 180_000 }, () => {
  const validate = (dir: string) => runBinary(['validate', dir]);

  it('a cpu Fargate does not run is reported at cpu, with the sizes it does', async () => {
    const dir = shopWith('cpu', sized('"3 vCPU"', '"6 GB"'));
    const { code, stdout, stderr } = await validate(dir);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(first(stdout)).toBe(
      `${dir}/api.yaml:21:10 spec.taskDefinition.cpu: expected a Fargate cpu size: 256 (0.25 vCPU), 512 (0.5 vCPU), 1024 (1 vCPU), 2048 (2 vCPU), 4096 (4 vCPU), 8192 (8 vCPU), 16384 (16 vCPU); got 3072 (3 vCPU)`,
    );
  });

  it('a memory the cpu does not allow says the steps it does', async () => {
    const dir = shopWith('memory', sized('"1 vCPU"', '1.5GB'));
    const { code, stdout } = await validate(dir);
    expect(code).toBe(1);
    expect(first(stdout)).toBe(`${dir}/api.yaml:22:13 spec.taskDefinition.memory: expected a Fargate memory size for cpu 1024 (1 vCPU): 2048 to 8192 MiB in steps of 1024 (2 to 8 GB); got 1536`);
  });

  it('memory in MiB, MB, GiB or GB, any case, all mean the same', async () => {
    const binary = await validate(shopWith('units-gib', sized('"1 vCPU"', '"2 GiB"')));
    expect({ code: binary.code, first: first(binary.stdout) }).toEqual({ code: 0, first: '✓ shop-prod  1 service, 1 migration, 1 scheduled task, 2 alias records' });
    const runs = await Promise.all(['2048', '"2048 MiB"', '"2048mb"', '"2gb"', '"2 GB"'].map((m, i) => runCli('validate', shopWith(`units-${i}`, sized('"1 vCPU"', m)))));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    const wrong = await runCli('validate', shopWith('units-bad', sized('"1 vCPU"', '"2 gigs"')));
    expect(wrong.code).toBe(1);
    expect(first(wrong.stdout)).toMatch(/spec\.taskDefinition\.memory: expected MiB \(512, 1024, \.\.\.\) or a size with its unit: "512 MiB", "512 MB", "1 GiB", "1.5 GB"/);
  });

  it('a file that is not YAML is one problem', async () => {
    const script = readFileSync(new URL('../../bin/fast-start.js', import.meta.url), 'utf8');
    const dir = shopWith('not-yaml', (a) => a, ['notes.yaml', script]);
    const { code, stdout } = await validate(dir);
    expect(code).toBe(1);
    expect(stdout.split('\n')).toEqual([expect.stringMatching(new RegExp(`^${dir}/notes\\.yaml:1:1 invalid YAML: .* \\(and \\d+ more YAML errors in this file: is it a YAML file\\?\\)$`)), '1 problem in 1 file', '']);
  });

  it('a list as a key is reported at its place, and Node prints no warning', async () => {
    const dir = shopWith('complex-key', (a) => a.replace('metadata:\n', 'metadata:\n  ? [a, b]\n  : 1\n'));
    const { code, stdout, stderr } = await validate(dir);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(first(stdout)).toBe(`${dir}/api.yaml:6:5 metadata: a list as a key is not allowed: keys are plain strings`);
  });

  it('a symbolic link that leads nowhere is reported at the link', async () => {
    const dir = shopWith('dangling', (a) => a);
    symlinkSync(path.join(dir, 'gone.yaml'), path.join(dir, 'link.yaml'));
    const { code, stdout } = await validate(dir);
    expect(code).toBe(1);
    expect(first(stdout)).toBe(`${dir}/link.yaml:1:1 cannot read: no such file or directory (a symbolic link to ${dir}/gone.yaml, which does not exist)`);
  });
});
