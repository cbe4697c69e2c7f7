import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseSpecFiles } from '../spec/load.js';
import { SECRET_ADVICE } from '../spec/secrets.js';
import { runCli } from '../testing/cli.js';

const run = runCli;

const BROKEN_DIR = path.relative(process.cwd(), fileURLToPath(new URL('../spec/testdata/broken/', import.meta.url)));
const SPECS_DIR = path.relative(process.cwd(), fileURLToPath(new URL('../../specs/', import.meta.url)));

/** Each broken spec file and the exact problem lines `steady validate FILE` prints for it. */
const BROKEN: Record<string, (file: string) => string[]> = {
  'alias-target-form': (f) => [
    `${f}:13:11 spec.target: expected one of: loadBalancer: <load balancer name>, cloudFront: <distribution id>, or dnsName and hostedZoneId`,
  ],
  'billion-laughs': (f) => [`${f}:2:4 a: YAML anchor &a is not allowed: spec files may not use anchors and aliases (80 more in this document)`],
  'deep-nesting': (f) => [`${f}:5:107 YAML nested deeper than 50 levels is not allowed in a spec file`],
  'duplicate-environment': (f) => [`${f}:9:19 metadata.name: duplicate Environment "shop-prod", first defined at ${f}:2:1`],
  'duplicate-key': (f) => [`${f}:8:3 spec.region: duplicate key "region"`],
  'duplicate-name': (f) => [`${f}:22:19 metadata.name: duplicate Service "api" in environment shop-prod, first defined at ${f}:7:1`],
  'fargate-size': (f) => [`${f}:15:13 spec.taskDefinition.memory: expected a Fargate memory size for cpu 256 (0.25 vCPU): 512, 1024 or 2048 MiB; got 4096`],
  'invalid-enum': (f) => [`${f}:8:9 spec.mode: expected one of: enforce, observe`],
  'literal-secret': (f) => [`${f}:21:25 spec.taskDefinition.containers[0].secrets.DATABASE_URL: looks like a secret (a URL with a password) written into the spec; ${SECRET_ADVICE}`],
  'literal-secret-in-environment': (f) => [
    `${f}:20:23 spec.taskDefinition.containers[0].environment.DD_API_KEY: looks like a secret (the name DD_API_KEY says it is one) written into the spec; ${SECRET_ADVICE}`,
  ],
  'secret-in-any-field': (f) => [
    `${f}:4:54 metadata.labels.deployer-key: looks like a secret (an AWS access key id) written into the spec; ${SECRET_ADVICE}`,
    `${f}:20:27 spec.taskDefinition.containers[0].environment.API_SECRET_KEY: looks like a secret (the name API_SECRET_KEY says it is one) written into the spec; ${SECRET_ADVICE}`,
    `${f}:21:23 spec.taskDefinition.containers[0].environment.GITHUB_PAT: looks like a secret (a GitHub token) written into the spec; ${SECRET_ADVICE}`,
    `${f}:22:26 spec.taskDefinition.containers[0].environment.SLACK_WEBHOOK: looks like a secret (a Slack webhook URL) written into the spec; ${SECRET_ADVICE}`,
    `${f}:23:17 spec.taskDefinition.containers[0].environment.AUTH: looks like a secret (a bearer token) written into the spec; ${SECRET_ADVICE}`,
    `${f}:29:27 spec.taskDefinition.containers[0].logConfiguration.options.splunk-token: looks like a secret (the name splunk-token says it is one) written into the spec; ${SECRET_ADVICE}`,
    `${f}:36:31 spec.command[2]: looks like a secret (the value of --password) written into the spec; ${SECRET_ADVICE}`,
    `${f}:43:21 spec.command[2]: looks like a secret (the value of PGPASSWORD=) written into the spec; ${SECRET_ADVICE}`,
  ],
  'proto-environment-variable': (f) => [`${f}:20:11 spec.taskDefinition.containers[0].environment: a key named "__proto__" is not allowed (it would be dropped silently); rename it`],
  'migration-unknown-service': (f) => [`${f}:24:16 spec.fromService: no Service named "apii" in environment shop-prod (did you mean "api"?)`],
  'missing-environment': (f) => [`${f}:9:37 metadata.environment: no Environment named "shop-prd" (did you mean "shop-prod"?)`],
  'missing-field': (f) => [`${f}:17:9 spec.taskDefinition.containers[0].image: missing required field, expected a string`],
  'not-a-mapping': (f) => [`${f}:2:1 expected a mapping with apiVersion, kind, metadata and spec`],
  'not-utf8': (f) => [`${f}:1:32 file is not valid UTF-8; spec files must be UTF-8`],
  'same-ecs-service': (f) => [
    `${f}:24:16 spec.serviceName: ECS service "api" is already claimed by Service "api" at ${f}:7:1; two Services would fight over it`,
  ],
  'same-family': (f) => [
    `${f}:26:13 spec.taskDefinition.family: task definition family "shop-api" is already used by Service "api" at ${f}:7:1; both would register revisions of it`,
  ],
  'unknown-api-version': (f) => [`${f}:2:13 apiVersion: unknown apiVersion "steady.dev/v1", expected steady.dev/v1alpha1`],
  'unknown-field': (f) => [`${f}:11:3 spec.desiredcount: unknown field "desiredcount" (did you mean "desiredCount"?)`],
  'unknown-kind': (f) => [
    `${f}:8:7 kind: unknown kind "Servce" (did you mean "Service"?), expected one of: Environment, Service, Migration, ScheduledTask, AliasRecord, Maintenance, Overlay`,
  ],
  'unresolved-reference': (f) => [`${f}:11:11 spec.after[0]: no Migration named "db-migrate" in environment shop-prod`],
  'wrong-type': (f) => [`${f}:18:16 spec.taskDefinition.containers[0].image: expected a string`],
  'yaml-alias': (f) => [`${f}:7:12 spec.cluster: YAML anchor &cluster is not allowed: spec files may not use anchors and aliases (1 more in this document)`],
  'yaml-syntax': (f) => [`${f}:5:1 invalid YAML: flow map in block collection must be sufficiently indented and end with a }`],
};

describe('steady validate on broken specs', () => {
  it('has an expectation for every file in testdata/broken', () => {
    const files = readdirSync(BROKEN_DIR).map((name) => name.replace(/\.yaml$/, ''));
    expect(files.sort()).toEqual(Object.keys(BROKEN).sort());
  });

  it.each(Object.entries(BROKEN))('rejects %s.yaml with exit 1 and the exact problem', async (name, expected) => {
    const file = path.join(BROKEN_DIR, `${name}.yaml`);
    const lines = expected(file);

    const { code, stdout, stderr } = await run('validate', file);

    expect(code).toBe(1);
    expect(stdout).toBe(`${[...lines, `${lines.length} problem${lines.length === 1 ? '' : 's'} in 1 file`].join('\n')}\n`);
    expect(stderr).toBe('');
  });

  it('never prints the value of a secret written into a spec', async () => {
    for (const name of ['literal-secret', 'literal-secret-in-environment', 'secret-in-any-field']) {
      const { code, stdout, stderr } = await run('validate', path.join(BROKEN_DIR, `${name}.yaml`));

      expect(code).toBe(1);
      expect(stdout + stderr).not.toMatch(/do-not-print|DoNotPrint|DONOTPRN/i);
    }
  });

  describe('with a file over the size limit', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'steady-validate-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('rejects it without parsing it', async () => {
      // Invalid YAML all the way through: only the size check may speak.
      const file = path.join(dir, 'big.yaml');
      writeFileSync(file, '{'.repeat(1024 * 1024 + 1));

      const { code, stdout } = await run('validate', file);

      expect(code).toBe(1);
      expect(stdout).toBe(`${file}:1:1 file is 1048577 bytes, over the 1 MiB limit for a spec file\n1 problem in 1 file\n`);
    });
  });

  it('reports the problems of all files together, sorted by file and line', async () => {
    const a = path.join(BROKEN_DIR, 'wrong-type.yaml');
    const b = path.join(BROKEN_DIR, 'yaml-syntax.yaml');

    const { code, stdout } = await run('validate', b, a);

    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        `${a}:18:16 spec.taskDefinition.containers[0].image: expected a string`,
        `${b}:5:1 invalid YAML: flow map in block collection must be sufficiently indented and end with a }`,
        '2 problems in 2 files',
        '',
      ].join('\n'),
    );
  });
});

describe('steady validate on the example specs', () => {
  it('accepts specs/ with exit 0 and a summary per environment', async () => {
    const { code, stdout, stderr } = await run('validate', SPECS_DIR);

    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        '✓ messaging-prod  1 service, 0 migrations, 1 alias record',
        '✓ shop-prod       1 service, 1 migration, 1 scheduled task, 2 alias records',
        '✓ shop-staging    1 service, 1 migration, 1 scheduled task, 1 alias record',
        '3 environments, 11 resources valid',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('');
  });

  it('prints machine-readable results with --output json', async () => {
    const { code, stdout } = await run('validate', SPECS_DIR, '--output', 'json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      formatVersion: 1,
      command: 'validate',
      exitCode: 0,
      ok: true,
      problems: [],
      environments: [
        { name: 'messaging-prod', services: ['messaging-api'], migrations: [], scheduledTasks: [], aliases: ['api-dns'] },
        { name: 'shop-prod', services: ['api'], migrations: ['db-migrate'], scheduledTasks: ['db-migrate-nightly'], aliases: ['apex-dns', 'api-dns'] },
        { name: 'shop-staging', services: ['api'], migrations: ['db-migrate'], scheduledTasks: ['db-migrate-nightly'], aliases: ['api-dns'] },
      ],
    });
  });

  it('prints problems as JSON with --output json and exits 1', async () => {
    const file = path.join(BROKEN_DIR, 'invalid-enum.yaml');

    const { code, stdout } = await run('validate', '-o', 'json', file);

    expect(code).toBe(1);
    const problems = [{ file, line: 8, column: 9, path: 'spec.mode', message: 'expected one of: enforce, observe' }];
    expect(JSON.parse(stdout)).toEqual({
      formatVersion: 1,
      command: 'validate',
      exitCode: 1,
      error: { kind: 'invalidSpecs', message: '1 problem in the specs', problems },
      ok: false,
      problems,
      environments: [],
    });
  });

  it('prints the documents with defaults filled in with --show-defaults, as YAML that validates to the same documents', async () => {
    const { code, stdout, stderr } = await run('validate', path.join(SPECS_DIR, 'shop'), '--show-defaults');

    expect(code).toBe(0);
    expect(stderr).toBe('2 environments, 9 resources valid\n');
    const docs = parseAllDocuments(stdout).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Environment/shop-prod', 'Service/api', 'Migration/db-migrate', 'ScheduledTask/db-migrate-nightly', 'AliasRecord/apex-dns', 'AliasRecord/api-dns',
      'Environment/shop-staging', 'Service/api', 'Migration/db-migrate', 'ScheduledTask/db-migrate-nightly', 'AliasRecord/api-dns',
    ]);
    const service = docs[1];
    expect(service.spec.deployment).toEqual({
      strategy: 'rolling',
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
    });
    expect(service.spec.taskDefinition.memory).toBe('1024');
    const again = parseSpecFiles([{ path: 'defaults.yaml', content: stdout }]);
    expect(again.ok && again.specSet.environments[0].services[0]).toEqual(service);
  });
});

describe('steady usage errors', () => {
  it('exits 2 with commander\'s message on an unknown option', async () => {
    const { code, stderr } = await run('validate', '--bogus');

    expect(code).toBe(2);
    expect(stderr).toContain("error: unknown option '--bogus'");
  });

  it('exits 2 on an unknown command', async () => {
    const { code, stderr } = await run('frobnicate');

    expect(code).toBe(2);
    expect(stderr).toContain("error: unknown command 'frobnicate'");
  });

  it('exits 2 on an output format it does not know', async () => {
    const { code, stderr } = await run('validate', '--output', 'yaml');

    expect(code).toBe(2);
    expect(stderr).toContain("error: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are text, json.");
  });

  it('exits 2 and shows help when no command is given', async () => {
    const { code, stderr } = await run();

    expect(code).toBe(2);
    expect(stderr).toContain('Usage: steady [options] [command]');
  });

  it('exits 0 with help text for validate', async () => {
    const { code, stdout } = await run('validate', '--help');

    expect(code).toBe(0);
    expect(stdout).toContain('Usage: steady validate [options] [paths...]');
    expect(stdout).toContain('--show-defaults');
    expect(stdout).toContain('Exit codes: 0 valid, 1 invalid, 2 usage error.');
  });

  it('reports a path that does not exist as a problem, exit 1', async () => {
    const { code, stdout } = await run('validate', 'no/such/dir');

    expect(code).toBe(1);
    expect(stdout).toBe('no/such/dir:1:1 cannot read: no such file or directory\n1 problem in 1 file\n');
  });
});
