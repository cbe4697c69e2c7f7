import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { formatProblem, loadSpecPaths, MAX_SPEC_FILES, parseSpecFiles, type LoadResult, type SpecFile } from './load.js';

const ENV = `apiVersion: steady.dev/v1alpha1
kind: Environment
metadata: { name: shop-prod }
spec: { region: ap-northeast-1, cluster: shop-prod }
`;

/** A minimal valid Service; `spec` lines are added under spec:. */
function service(name: string, extra = '', family = `shop-${name}`): string {
  return `apiVersion: steady.dev/v1alpha1
kind: Service
metadata: { name: ${name}, environment: shop-prod }
spec:
${extra}  network: { subnets: [subnet-0a1b2c3d4e5f60718] }
  taskDefinition:
    family: ${family}
    cpu: 256
    memory: 512
    containers:
      - name: app
        image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:latest
`;
}

function migration(name: string, spec: string): string {
  return `apiVersion: steady.dev/v1alpha1
kind: Migration
metadata: { name: ${name}, environment: shop-prod }
spec:
${spec}`;
}

/** The problems of a spec set, one formatted line each. */
function problemsOf(result: LoadResult): string[] {
  return result.ok ? [] : result.problems.map(formatProblem);
}

function file(content: string | Uint8Array, p = 'specs/shop.yaml'): SpecFile {
  return { path: p, content };
}

describe('parseSpecFiles positions', () => {
  it('points a wrong type at the value, with the field path', () => {
    const yaml = `${ENV}---\n${service('api').replace('image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:latest', 'image: [a, b]')}`;

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual([
      'specs/shop.yaml:17:16 spec.taskDefinition.containers[0].image: expected a string',
    ]);
  });

  it('points a missing field at the mapping that lacks it', () => {
    const yaml = `${ENV}---\napiVersion: steady.dev/v1alpha1\nkind: Environment\nmetadata:\n  name: other\nspec:\n  region: ap-northeast-1\n`;

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual(['specs/shop.yaml:11:3 spec.cluster: missing required field, expected a string']);
  });

  it('points an unknown field at the key itself, one problem per key', () => {
    const yaml = `${ENV}---\n${service('api', '  desiredcount: 2\n  afterr: []\n')}`;

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual([
      'specs/shop.yaml:10:3 spec.desiredcount: unknown field "desiredcount" (did you mean "desiredCount"?)',
      'specs/shop.yaml:11:3 spec.afterr: unknown field "afterr" (did you mean "after"?)',
    ]);
  });

  it('offers no suggestion when no field is close', () => {
    const yaml = ENV.replace('metadata: { name: shop-prod }', 'metadata: { name: shop-prod, colour: blue }');

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual(['specs/shop.yaml:3:30 metadata.colour: unknown field "colour"']);
  });

  it('points an invalid record key at the key, without printing it', () => {
    const yaml = `${ENV}---\n${service('api')}        environment:\n          bad-name: x\n`;

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual([
      'specs/shop.yaml:19:11 spec.taskDefinition.containers[0].environment: invalid key: expected an environment variable name',
    ]);
  });

  it('points an empty value at its key', () => {
    const yaml = ENV.replace('spec: { region: ap-northeast-1, cluster: shop-prod }', 'spec:\n  region: ap-northeast-1\n  cluster:\n');

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual(['specs/shop.yaml:6:3 spec.cluster: expected a string, got an empty value']);
  });
});

describe('parseSpecFiles messages', () => {
  it('accepts an environment in another account with the role steady assumes there', () => {
    const yaml = ENV.replace('cluster: shop-prod }', 'cluster: shop-prod, account: "210987654321", roleArn: "arn:aws:iam::210987654321:role/steady-target", externalId: shop-prod-ext }');

    const result = parseSpecFiles([file(yaml)]);

    expect(problemsOf(result)).toEqual([]);
    expect(result.ok && result.specSet.environments[0].environment.spec).toMatchObject({ account: '210987654321', roleArn: 'arn:aws:iam::210987654321:role/steady-target', externalId: 'shop-prod-ext' });
  });

  it('refuses a role in another account than the environment, and an external id without a role', () => {
    const otherAccount = ENV.replace('cluster: shop-prod }', 'cluster: shop-prod, account: "210987654321", roleArn: "arn:aws:iam::111111111111:role/steady-target" }');
    const idAlone = ENV.replace('cluster: shop-prod }', 'cluster: shop-prod, externalId: shop-ext }');

    expect(problemsOf(parseSpecFiles([file(otherAccount)]))).toEqual([
      "specs/shop.yaml:4:87 spec.roleArn: the role is in account 111111111111, but the environment's account is 210987654321",
    ]);
    expect(problemsOf(parseSpecFiles([file(idAlone)]))).toEqual(['specs/shop.yaml:4:65 spec.externalId: an external id needs a roleArn to assume']);
  });

  it('names the accepted values of an enum', () => {
    const yaml = ENV.replace('cluster: shop-prod }', 'cluster: shop-prod, mode: Enforce }');

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual(['specs/shop.yaml:4:59 spec.mode: expected one of: enforce, observe']);
  });

  it('names the strategies when a deployment strategy is unknown', () => {
    const yaml = `${ENV}---\n${service('api', '  deployment: { strategy: canary }\n')}`;

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual(['specs/shop.yaml:10:27 spec.deployment.strategy: expected one of: rolling, blueGreen']);
  });

  it('refuses a blueGreen deployment without a load balancer, at the strategy', () => {
    const yaml = `${ENV}---\n${service('api', '  deployment: { strategy: blueGreen, codeDeploy: { application: shop, deploymentGroup: api } }\n')}`;

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual([
      'specs/shop.yaml:10:27 spec.deployment.strategy: a blueGreen deployment needs spec.loadBalancer: CodeDeploy shifts its traffic between two target groups',
    ]);
  });

  it('names the scalar types an environment variable accepts', () => {
    const yaml = `${ENV}---\n${service('api')}        environment:\n          PORT: [8000]\n`;

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual([
      'specs/shop.yaml:19:17 spec.taskDefinition.containers[0].environment.PORT: expected a string, number or boolean',
    ]);
  });

  it('reports the problem inside the one alias target form that fits', () => {
    const yaml = `${ENV}---
apiVersion: steady.dev/v1alpha1
kind: AliasRecord
metadata: { name: api-dns, environment: shop-prod }
spec:
  zone: example.com
  name: api.example.com
  target: { cloudFront: not-an-id }
`;

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual([
      'specs/shop.yaml:12:25 spec.target.cloudFront: expected a CloudFront distribution id (E...)',
    ]);
  });

  it('reports a YAML syntax error with yaml\'s position', () => {
    expect(problemsOf(parseSpecFiles([file('a: "unclosed\n')]))).toEqual(['specs/shop.yaml:2:1 invalid YAML: missing closing "quote']);
  });

  it('refuses tags it cannot resolve', () => {
    const yaml = ENV.replace('cluster: shop-prod }', 'cluster: !Ref Cluster }');

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual(['specs/shop.yaml:4:42 invalid YAML: unresolved tag: !Ref']);
  });

  it('refuses a document that is not a mapping', () => {
    expect(problemsOf(parseSpecFiles([file('just a string\n')]))).toEqual([
      'specs/shop.yaml:1:1 expected a mapping with apiVersion, kind, metadata and spec',
    ]);
  });

  it('reports a missing apiVersion and kind together', () => {
    expect(problemsOf(parseSpecFiles([file('metadata: { name: x }\n')]))).toEqual([
      'specs/shop.yaml:1:1 apiVersion: missing required field, expected steady.dev/v1alpha1',
      'specs/shop.yaml:1:1 kind: missing required field, expected one of: Environment, Service, Migration, ScheduledTask, AliasRecord, Maintenance, Overlay',
    ]);
  });
});

describe('parseSpecFiles on the whole set', () => {
  it('reports every problem of every file together, sorted by file and line', () => {
    const result = parseSpecFiles([
      file(`${ENV}---\n${service('api', '  desiredCount: -1\n')}`, 'specs/b.yaml'),
      file(ENV.replace('shop-prod }\nspec', 'other }\nspec').replace('region: ap-northeast-1', 'region: tokyo'), 'specs/a.yaml'),
    ]);

    expect(problemsOf(result)).toEqual([
      'specs/a.yaml:4:17 spec.region: expected an AWS region such as ap-northeast-1',
      'specs/b.yaml:10:17 spec.desiredCount: expected a number of at least 0',
    ]);
  });

  it('ignores empty documents in a file that holds a document', () => {
    const result = parseSpecFiles([file(`---\n# nothing here\n---\n${ENV}---\n`)]);

    expect(result.ok && result.specSet.environments.map((e) => e.name)).toEqual(['shop-prod']);
  });

  it('refuses each file that holds no document, saying why and how to allow it', () => {
    const result = parseSpecFiles([file(ENV), file('', 'specs/empty.yaml'), file('# only a comment\n', 'specs/dns.yaml')]);

    const why =
      'the file holds no document (only comments, or nothing): a file truncated to its comments would silently drop the resources it held; ' +
      'restore it or delete it, or if that is what you mean, pass --allow-empty to steady validate and steady apply';
    expect(problemsOf(result)).toEqual([`specs/dns.yaml:1:1 ${why}`, `specs/empty.yaml:1:1 ${why}`]);
  });

  it('refuses an empty set, and a set of comments only, as a whole', () => {
    const why =
      'an empty spec set would stop steady reconciling what the previous one held (steady deletes nothing, but nothing is kept as the specs say any more); ' +
      'if that is what you mean, pass --allow-empty to steady validate and steady apply';

    expect(problemsOf(parseSpecFiles([], { label: 'specs/' }))).toEqual([`specs/: no spec files (*.yaml, *.yml): ${why}`]);
    expect(problemsOf(parseSpecFiles([file('# a\n', 'specs/a.yaml'), file('---\n', 'specs/b.yaml')], { label: 'specs/' }))).toEqual([
      `specs/: none of the 2 spec files holds a document (only comments, or nothing): ${why}`,
    ]);
  });

  it('accepts an empty set and files without documents with allowEmpty', () => {
    expect(parseSpecFiles([], { allowEmpty: true })).toEqual({ ok: true, specSet: { environments: [], files: [] } });
    const result = parseSpecFiles([file(ENV), file('# only a comment\n', 'specs/dns.yaml')], { allowEmpty: true });
    expect(result.ok && result.specSet.environments.map((e) => e.name)).toEqual(['shop-prod']);
  });

  it('refuses more files than a spec set may have, before parsing any', () => {
    const files = Array.from({ length: MAX_SPEC_FILES + 1 }, (_, i) => file('{{{ not yaml', `specs/f${i}.yaml`));

    expect(problemsOf(parseSpecFiles(files, { label: 'specs/' }))).toEqual([`specs/: ${MAX_SPEC_FILES + 1} spec files, more than the ${MAX_SPEC_FILES} a spec set may have`]);
  });

  it('refuses more bytes altogether than a spec set may have, before parsing any', () => {
    const big = `# ${'x'.repeat(1024 * 1024 - 3)}\n`;
    const files = Array.from({ length: 9 }, (_, i) => file(big, `specs/f${i}.yaml`));

    expect(problemsOf(parseSpecFiles(files))).toEqual([`the spec set: the spec files are ${9 * 1024 * 1024} bytes together, more than the 8 MiB a spec set may have`]);
  });

  it('fills defaults and normalises values after validation', () => {
    const yaml = `${ENV}---\n${service('api').replace('cpu: 256', 'cpu: 0.25 vCPU').replace('memory: 512', 'memory: "0.5GB"')}        environment: { PORT: 8000, DEBUG: false }\n        portMappings: [{ containerPort: 8000 }]\n`;

    const result = parseSpecFiles([file(yaml)]);

    if (!result.ok) throw new Error(problemsOf(result).join('\n'));
    const [env] = result.specSet.environments;
    expect(env.environment.spec).toMatchObject({ mode: 'enforce', changeBudget: 20, tags: {}, notifications: { remindEveryHours: 24, dailyDigest: false } });
    const svc = env.services[0].spec;
    expect(svc).toMatchObject({ desiredCount: 1, autoscaling: false, adopt: false, platformVersion: 'LATEST', after: [] });
    expect(svc.network).toEqual({ subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: [], assignPublicIp: 'DISABLED' });
    expect(svc.taskDefinition).toMatchObject({ cpu: '256', memory: '512', networkMode: 'awsvpc' });
    expect(svc.taskDefinition.containers[0]).toMatchObject({
      essential: true,
      imageOwner: 'steady',
      environment: { PORT: '8000', DEBUG: 'false' },
      portMappings: [{ containerPort: 8000, protocol: 'tcp' }],
      secrets: {},
      dependsOn: [],
    });
  });

  it('groups documents by environment, sorted by name, with where each starts', () => {
    const result = parseSpecFiles([
      file(`${ENV}---\n${service('web')}---\n${service('api')}`, 'specs/shop.yaml'),
      file(ENV.replaceAll('shop-prod', 'chat-prod'), 'specs/chat.yaml'),
    ]);

    if (!result.ok) throw new Error(problemsOf(result).join('\n'));
    expect(result.specSet.environments.map((e) => [e.name, e.services.map((s) => s.metadata.name)])).toEqual([
      ['chat-prod', []],
      ['shop-prod', ['api', 'web']],
    ]);
    expect(result.specSet.environments[1].locations).toEqual({
      'Environment/shop-prod': { file: 'specs/shop.yaml', line: 1, column: 1 },
      'Service/web': { file: 'specs/shop.yaml', line: 6, column: 1 },
      'Service/api': { file: 'specs/shop.yaml', line: 19, column: 1 },
    });
  });

  it('lists the files with their size and SHA-256, sorted by path', () => {
    const result = parseSpecFiles([file('', 'specs/b.yaml'), file(new TextEncoder().encode('# é\n'), 'specs/a.yaml')], { allowEmpty: true });

    expect(result.ok && result.specSet.files).toEqual([
      { path: 'specs/a.yaml', bytes: 5, sha256: 'd09ff7567c702b23a7d5d761755c0a5ef509a08d5917d7005371e3df19a3a040' },
      { path: 'specs/b.yaml', bytes: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    ]);
  });
});

describe('parseSpecFiles refusals before parsing', () => {
  it('refuses a file over the size limit without parsing it', () => {
    expect(problemsOf(parseSpecFiles([file('{{{{{{{{{{{')], { maxFileBytes: 10 }))).toEqual([
      'specs/shop.yaml:1:1 file is 11 bytes, over the 10 bytes limit for a spec file',
    ]);
  });

  it('measures the size in UTF-8 bytes, not characters', () => {
    expect(problemsOf(parseSpecFiles([file('# éé\n')], { maxFileBytes: 5 }))).toEqual([
      'specs/shop.yaml:1:1 file is 7 bytes, over the 5 bytes limit for a spec file',
    ]);
  });

  it('refuses bytes that are not UTF-8, at the first bad byte', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('a: 1\nb: "caf'), 0xe9, ...new TextEncoder().encode('"\n')]);

    expect(problemsOf(parseSpecFiles([file(bytes)]))).toEqual(['specs/shop.yaml:2:8 file is not valid UTF-8; spec files must be UTF-8']);
  });

  it('accepts a UTF-8 byte order mark', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(ENV)]);

    expect(parseSpecFiles([file(bytes)]).ok).toBe(true);
  });

  it('refuses a billion-laughs file without expanding it', () => {
    let yaml = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n';
    // Ten levels of ten: 10^10 strings if anything expanded it; this test would never finish.
    for (const [name, prev] of ['ba', 'cb', 'dc', 'ed', 'fe', 'gf', 'hg', 'ih', 'ji'].map((s) => [s[0], s[1]])) {
      yaml += `${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]\n`;
    }

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual([
      'specs/shop.yaml:1:4 a: YAML anchor &a is not allowed: spec files may not use anchors and aliases (99 more in this document)',
    ]);
  });

  it('refuses YAML nested deeper than 50 levels without recursing into it', () => {
    // Deep enough to exhaust the stack of a recursive parser step or walk.
    const yaml = `${'['.repeat(200_000)}${']'.repeat(200_000)}\n`;

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual(['specs/shop.yaml:1:51 YAML nested deeper than 50 levels is not allowed in a spec file']);
  });

  it('refuses deeply nested block sequences too', () => {
    const yaml = `${'- '.repeat(60)}x\n`;

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual(['specs/shop.yaml:1:101 YAML nested deeper than 50 levels is not allowed in a spec file']);
  });

  it('refuses a lone alias, even to an undefined anchor', () => {
    const yaml = ENV.replace('cluster: shop-prod }', 'cluster: *c }');

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toContain(
      'specs/shop.yaml:4:42 spec.cluster: YAML alias *c is not allowed: spec files may not use anchors and aliases',
    );
  });

  it('relies on yaml refusing aliases with maxAliasCount: 0 as a second line of defence', () => {
    const doc = parseDocument('a: &x [1]\nb: *x\n');

    expect(() => doc.toJS({ maxAliasCount: 0 })).toThrow('Alias resolution is disabled');
  });

  it('refuses duplicate keys, naming the key and its path', () => {
    const yaml = ENV.replace('spec: {', 'metadata: { name: other }\nspec: {');

    expect(problemsOf(parseSpecFiles([file(yaml)]))).toEqual(['specs/shop.yaml:4:1 metadata: duplicate key "metadata"']);
  });
});

describe('parseSpecFiles rules over the set', () => {
  it('accepts references that resolve in the same environment', () => {
    const result = parseSpecFiles([
      file(`${ENV}---\n${service('api', '  after: [db-migrate]\n')}---\n${migration('db-migrate', '  fromService: api\n  container: app\n  command: [alembic, upgrade, head]\n  before: [api]\n')}`),
    ]);

    expect(problemsOf(result)).toEqual([]);
  });

  it('does not resolve a reference in another environment', () => {
    const other = ENV.replaceAll('shop-prod', 'other-prod');
    const m = migration('db-migrate', '  fromService: api\n  command: [alembic, upgrade, head]\n').replace('environment: shop-prod', 'environment: other-prod');

    expect(problemsOf(parseSpecFiles([file(`${ENV}---\n${service('api')}`), file(`${other}---\n${m}`, 'specs/other.yaml')]))).toEqual([
      'specs/other.yaml:10:16 spec.fromService: no Service named "api" in environment other-prod',
    ]);
  });

  it('refuses a migration waiting for a service that does not exist', () => {
    const m = migration('db-migrate', '  fromService: api\n  command: [alembic, upgrade, head]\n  before: [web]\n');

    expect(problemsOf(parseSpecFiles([file(`${ENV}---\n${service('api')}---\n${m}`)]))).toEqual([
      'specs/shop.yaml:25:12 spec.before[0]: no Service named "web" in environment shop-prod',
    ]);
  });

  it('refuses a migration container that the service does not have', () => {
    const m = migration('db-migrate', '  fromService: api\n  container: worker\n  command: [alembic, upgrade, head]\n');

    expect(problemsOf(parseSpecFiles([file(`${ENV}---\n${service('api')}---\n${m}`)]))).toEqual([
      'specs/shop.yaml:24:14 spec.container: expected a container of Service "api" (app), got "worker"',
    ]);
  });

  it('refuses a migration whose own family is a service\'s family', () => {
    const m = migration(
      'db-migrate',
      `  network: { subnets: [subnet-0a1b2c3d4e5f60718] }
  taskDefinition:
    family: shop-api
    cpu: 256
    memory: 512
    containers: [{ name: migrate, image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:latest }]
`,
    );

    expect(problemsOf(parseSpecFiles([file(`${ENV}---\n${service('api')}---\n${m}`)]))).toEqual([
      'specs/shop.yaml:25:13 spec.taskDefinition.family: task definition family "shop-api" is already used by Service "api" at specs/shop.yaml:6:1; both would register revisions of it',
    ]);
  });

  it('refuses two AliasRecords for the same record', () => {
    const record = (name: string) => `apiVersion: steady.dev/v1alpha1
kind: AliasRecord
metadata: { name: ${name}, environment: shop-prod }
spec: { zone: example.com, name: API.example.com., target: { loadBalancer: shop-alb } }
`;

    expect(problemsOf(parseSpecFiles([file(`${ENV}---\n${record('one')}---\n${record('two')}`)]))).toEqual([
      'specs/shop.yaml:14:34 spec.name: record api.example.com (A) is already managed by AliasRecord "one" at specs/shop.yaml:6:1; two AliasRecords would fight over it',
    ]);
  });

  it('does not report references to a document that is invalid for other reasons', () => {
    const m = migration('db-migrate', '  fromService: api\n  command: alembic upgrade head\n');

    expect(problemsOf(parseSpecFiles([file(`${ENV}---\n${service('api', '  after: [db-migrate]\n')}---\n${m}`)]))).toEqual([
      'specs/shop.yaml:25:12 spec.command: expected a list',
    ]);
  });
});

describe('parseSpecFiles and secrets', () => {
  const SECRET = 'Sup3r-s3cret-value';
  const cases: Record<string, string> = {
    'a literal under secrets': `        secrets: { DATABASE_URL: "${SECRET}" }\n`,
    'a mapping under secrets': `        secrets: { DATABASE_URL: { value: "${SECRET}" } }\n`,
    'a list as secrets': `        secrets: ["${SECRET}"]\n`,
    'a password in an environment variable': `        environment: { DB_PASSWORD: "${SECRET}" }\n`,
    'credentials in a URL': `        environment: { DATABASE_URL: "postgres://shop:${SECRET}@db:5432/shop" }\n`,
    'a secret key name': `        secrets: { "${SECRET}": arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:x }\n`,
  };

  it.each(Object.entries(cases))('never repeats the value of %s', (_, lines) => {
    const yaml = `${ENV}---\n${service('api').replace('    cpu:', '    executionRoleArn: arn:aws:iam::123456789012:role/exec\n    cpu:')}${lines}`;

    const result = parseSpecFiles([file(yaml)]);

    expect(result.ok).toBe(false);
    expect(problemsOf(result).join('\n')).not.toContain('s3cret');
  });
});

describe('loadSpecPaths', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steady-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'shop', 'nested'), { recursive: true });
  mkdirSync(path.join(dir, '.hidden'));
  writeFileSync(path.join(dir, 'shop', 'environment.yaml'), ENV);
  writeFileSync(path.join(dir, 'shop', 'nested', 'web.yml'), service('web'));
  writeFileSync(path.join(dir, 'shop', 'api.yaml'), service('api'));
  writeFileSync(path.join(dir, 'shop', 'README.md'), '# not a spec: {{{');
  writeFileSync(path.join(dir, '.hidden', 'broken.yaml'), '{{{');

  it('reads *.yaml and *.yml recursively in sorted order, skipping hidden entries', async () => {
    const result = await loadSpecPaths([dir]);

    expect(result.ok && result.specSet.files.map((f) => path.relative(dir, f.path))).toEqual([
      'shop/api.yaml',
      'shop/environment.yaml',
      'shop/nested/web.yml',
    ]);
  });

  it('reads a file given twice once', async () => {
    const result = await loadSpecPaths([dir, path.join(dir, 'shop', 'api.yaml')]);

    expect(result.ok && result.specSet.files.length).toBe(3);
  });

  it('reports a path that does not exist alongside the problems of the others', async () => {
    const missing = path.join(dir, 'nope');
    const broken = path.join(dir, '.hidden', 'broken.yaml');

    const result = await loadSpecPaths([missing, broken]);

    expect(problemsOf(result)).toEqual([
      `${broken}:1:4 invalid YAML: flow map in block collection must be sufficiently indented and end with a } (and 2 more YAML errors in this file)`,
      `${missing}:1:1 cannot read: no such file or directory`,
    ]);
  });

  it('refuses every file over the size limit', async () => {
    const result = await loadSpecPaths([path.join(dir, 'shop')], { maxFileBytes: 300 });

    const bytes = Buffer.byteLength(service('api'));
    expect(problemsOf(result)).toEqual([
      `${path.join(dir, 'shop', 'api.yaml')}:1:1 file is ${bytes} bytes, over the 300 bytes limit for a spec file`,
      `${path.join(dir, 'shop', 'nested', 'web.yml')}:1:1 file is ${bytes} bytes, over the 300 bytes limit for a spec file`,
    ]);
  });
});
