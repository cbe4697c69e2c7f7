/**
 * Bases and overlays through the loader, the way `steady validate` sees them: what each kind of
 * patch does to the rendered documents, and where each problem is reported (the file and line the
 * offending value was written in, and which environment's rendering met it).
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, parseSpecFiles, renderSpecFiles, type LoadResult, type SpecFile } from './load.js';

const BASE_ENV = `apiVersion: steady.dev/v1alpha1
kind: Environment
metadata: {}
spec:
  region: ap-northeast-1
  cluster: app
  tags: { team: app }
`;

const BASE_API = `apiVersion: steady.dev/v1alpha1
kind: Service
metadata:
  name: api
spec:
  desiredCount: 2
  network:
    subnets: [subnet-0a1b2c3d4e5f60718, subnet-0b2c3d4e5f6071829]
  taskDefinition:
    family: app-api
    cpu: "256"
    memory: "512"
    executionRoleArn: arn:aws:iam::123456789012:role/app-ecs-execution
    containers:
      - name: app
        image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:latest
        environment:
          LOG_LEVEL: info
          REGION: tokyo
        secrets:
          DATABASE_URL: arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/db-AbCdEf
        dependsOn:
          - { containerName: sidecar, condition: START }
      - name: sidecar
        image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/agent:7
        essential: false
`;

const BASE_MIGRATION = `apiVersion: steady.dev/v1alpha1
kind: Migration
metadata:
  name: db-migrate
spec:
  fromService: api
  command: [migrate]
`;

function overlay(name: string, patches: string, base = '../base'): string {
  return `apiVersion: steady.dev/v1alpha1
kind: Overlay
metadata:
  name: ${name}
spec:
  base: ${base}
  patches:
${patches}`;
}

/** The spec set: the base, and `overlays` by file name under specs/app/. */
function set(overlays: Record<string, string>, base: Record<string, string> = { 'env.yaml': BASE_ENV, 'api.yaml': BASE_API, 'migrate.yaml': BASE_MIGRATION }): SpecFile[] {
  return [
    ...Object.entries(base).map(([name, content]) => ({ path: `specs/app/base/${name}`, content })),
    ...Object.entries(overlays).map(([name, content]) => ({ path: `specs/app/overlays/${name}`, content })),
  ];
}

/** `file:line:column` of the first occurrence of `needle` (after `after`, if given) in `text`. */
function at(file: string, text: string, needle: string, after = ''): string {
  const offset = text.indexOf(needle, after ? text.indexOf(after) : 0);
  if (offset < 0) throw new Error(`${needle} is not in ${file}`);
  const before = text.slice(0, offset).split('\n');
  return `${file}:${before.length}:${before[before.length - 1].length + 1}`;
}

function problemsOf(r: LoadResult): string[] {
  return r.ok ? [] : r.problems.map(formatProblem);
}

function environment(r: LoadResult, name: string) {
  if (!r.ok) throw new Error(problemsOf(r).join('\n'));
  const env = r.specSet.environments.find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  return env;
}

describe('an overlay renders its base as one environment', () => {
  it('gives every document of the base its environment, and an Environment of the base its name', () => {
    const r = parseSpecFiles(set({ 'prod.yaml': overlay('app-prod', '    []\n'), 'staging.yaml': overlay('app-staging', '    []\n') }));

    expect(r.ok && r.specSet.environments.map((e) => e.name)).toEqual(['app-prod', 'app-staging']);
    const staging = environment(r, 'app-staging');
    expect(staging.environment.metadata.name).toBe('app-staging');
    expect(staging.environment.spec.cluster).toBe('app');
    expect(staging.services.map((s) => [s.metadata.name, s.metadata.environment])).toEqual([['api', 'app-staging']]);
    expect(staging.migrations.map((m) => [m.metadata.name, m.metadata.environment])).toEqual([['db-migrate', 'app-staging']]);
    // The base's documents are where the environment's documents start.
    expect(staging.locations['Service/api']).toEqual({ file: 'specs/app/base/api.yaml', line: 1, column: 1 });
  });

  it('takes an Environment written whole beside the overlay when the base has none', () => {
    const env = `apiVersion: steady.dev/v1alpha1\nkind: Environment\nmetadata: { name: app-staging }\nspec: { region: ap-northeast-1, cluster: staging }\n`;
    const r = parseSpecFiles([
      ...set({ 'staging.yaml': `${overlay('app-staging', '    []\n')}---\n${env}` }, { 'api.yaml': BASE_API }),
    ]);

    expect(environment(r, 'app-staging').environment.spec.cluster).toBe('staging');
    expect(environment(r, 'app-staging').services[0].metadata.environment).toBe('app-staging');
  });
});

describe('a merge patch', () => {
  const merge = `    - target: Service/api
      merge:
        spec:
          desiredCount: 1
          network:
            subnets: [subnet-0f1e2d3c4b5a69788]
          taskDefinition:
            containers:
              - name: sidecar
                essential: true
              - name: app
                environment:
                  LOG_LEVEL: debug
                  FEATURE_X: "on"
                secrets:
                  DATABASE_URL: arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:staging/db-XyZabc
                  CACHE_URL: arn:aws:ssm:ap-northeast-1:123456789012:parameter/staging/cache
    - target: Environment
      merge:
        spec:
          cluster: app-staging
          tags: { stage: staging }
`;

  it('replaces values, merges mappings key by key and containers by name, and replaces other lists whole', () => {
    const r = parseSpecFiles(set({ 'staging.yaml': overlay('app-staging', merge) }));
    const staging = environment(r, 'app-staging');
    const api = staging.services[0];

    expect(api.spec.desiredCount).toBe(1);
    expect(api.spec.network?.subnets).toEqual(['subnet-0f1e2d3c4b5a69788']);
    // Containers keep the base's order and names; each got only what its patch said.
    const [app, sidecar] = api.spec.taskDefinition.containers;
    expect(app.name).toBe('app');
    expect(app.environment).toEqual({ LOG_LEVEL: 'debug', REGION: 'tokyo', FEATURE_X: 'on' });
    expect(app.secrets).toEqual({
      DATABASE_URL: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:staging/db-XyZabc',
      CACHE_URL: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/staging/cache',
    });
    expect(app.dependsOn).toEqual([{ containerName: 'sidecar', condition: 'START' }]);
    expect(sidecar).toMatchObject({ name: 'sidecar', essential: true });
    expect(staging.environment.spec).toMatchObject({ cluster: 'app-staging', tags: { team: 'app', stage: 'staging' } });
  });

  it('leaves the base as it is for the other overlays', () => {
    const r = parseSpecFiles(set({ 'staging.yaml': overlay('app-staging', merge), 'prod.yaml': overlay('app-prod', '    []\n') }));
    const prod = environment(r, 'app-prod').services[0];

    expect(prod.spec.desiredCount).toBe(2);
    expect(prod.spec.taskDefinition.containers[0].environment).toEqual({ LOG_LEVEL: 'info', REGION: 'tokyo' });
    expect(environment(r, 'app-prod').environment.spec.cluster).toBe('app');
  });

  it('refuses a container the base does not have, at the line of the overlay that names it', () => {
    const patches = `    - target: Service/api
      merge:
        spec:
          taskDefinition:
            containers:
              - name: sidecra
                essential: true
`;
    const text = overlay('app-staging', patches);

    expect(problemsOf(parseSpecFiles(set({ 'staging.yaml': text })))).toEqual([
      `${at('specs/app/overlays/staging.yaml', text, 'sidecra')} spec.patches[0].merge.spec.taskDefinition.containers[0].name: no container named "sidecra" in Service api ` +
        '(it has: app, sidecar) (did you mean "sidecar"?); to add a container, use a jsonPatch add to /spec/taskDefinition/containers/- (rendering app-staging)',
    ]);
  });

  it('refuses an empty value (removing is a jsonPatch remove) and a change of what the document is', () => {
    const patches = `    - target: Service/api
      merge:
        metadata:
          name: web
        spec:
          desiredCount:
`;
    const text = overlay('app-staging', patches);

    expect(problemsOf(parseSpecFiles(set({ 'staging.yaml': text })))).toEqual([
      `${at('specs/app/overlays/staging.yaml', text, 'web')} spec.patches[0].merge.metadata.name: an overlay does not change what a document is (apiVersion, kind, metadata.name, metadata.environment); the overlay names the environment (rendering app-staging)`,
      `${at('specs/app/overlays/staging.yaml', text, 'desiredCount:')} spec.patches[0].merge.spec.desiredCount: an empty value in a merge patch; to remove a field, use a jsonPatch remove operation (rendering app-staging)`,
    ]);
  });

  it('refuses a target the base does not have, with the names it has', () => {
    const text = overlay('app-staging', '    - target: Service/apii\n      merge: { spec: { desiredCount: 1 } }\n');

    expect(problemsOf(parseSpecFiles(set({ 'staging.yaml': text })))).toEqual([
      `${at('specs/app/overlays/staging.yaml', text, 'Service/apii')} spec.patches[0].target: no Service named "apii" in the base ../base (it has: api) (did you mean "api"?) (rendering app-staging)`,
    ]);
  });
});

describe('a jsonPatch', () => {
  it('adds, replaces and removes, naming list items by index, by - or by their name', () => {
    const patches = `    - target: Service/api
      jsonPatch:
        - { op: add, path: /spec/taskDefinition/containers/-, value: { name: proxy, image: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/proxy:1" } }
        - { op: remove, path: /spec/taskDefinition/containers/app/dependsOn }
        - { op: remove, path: /spec/taskDefinition/containers/sidecar }
        - { op: replace, path: /spec/network/subnets/0, value: subnet-0f1e2d3c4b5a69788 }
        - { op: add, path: /spec/taskDefinition/containers/app/environment/TRACE, value: "1" }
        - { op: remove, path: /spec/taskDefinition/containers/0/environment/REGION }
`;
    const api = environment(parseSpecFiles(set({ 'staging.yaml': overlay('app-staging', patches) })), 'app-staging').services[0];

    expect(api.spec.taskDefinition.containers.map((c) => c.name)).toEqual(['app', 'proxy']);
    expect(api.spec.taskDefinition.containers[0].dependsOn).toEqual([]);
    expect(api.spec.taskDefinition.containers[0].environment).toEqual({ LOG_LEVEL: 'info', TRACE: '1' });
    expect(api.spec.network?.subnets).toEqual(['subnet-0f1e2d3c4b5a69788', 'subnet-0b2c3d4e5f6071829']);
  });

  it('refuses a path that is not there, at the operation that names it', () => {
    const patches = `    - target: Service/api
      jsonPatch:
        - { op: remove, path: /spec/taskDefinition/containers/proxy }
        - { op: replace, path: /spec/desiredCont, value: 1 }
        - { op: add, path: /spec/taskDefinition/containers/app, value: {} }
        - { op: add, path: /spec/nothing/here, value: 1 }
`;
    const text = overlay('app-staging', patches);
    const file = 'specs/app/overlays/staging.yaml';

    expect(problemsOf(parseSpecFiles(set({ 'staging.yaml': text })))).toEqual([
      `${at(file, text, '/spec/taskDefinition/containers/proxy')} spec.patches[0].jsonPatch[0].path: Service api has nothing at /spec/taskDefinition/containers/proxy to remove (the list has: app, sidecar) (rendering app-staging)`,
      `${at(file, text, '/spec/desiredCont')} spec.patches[0].jsonPatch[1].path: Service api has no field at /spec/desiredCont to replace (did you mean "desiredCount"?) (rendering app-staging)`,
      `${at(file, text, '/spec/taskDefinition/containers/app,')} spec.patches[0].jsonPatch[2].path: add into a list takes an index or - (the end), not a name; to change the item "app", use replace (rendering app-staging)`,
      `${at(file, text, '/spec/nothing/here')} spec.patches[0].jsonPatch[3].path: Service api has nothing at /spec/nothing (rendering app-staging)`,
    ]);
  });

  it('is one of two forms of a patch: a patch with both, or neither, is refused', () => {
    const text = overlay('app-staging', '    - target: Service/api\n      merge: {}\n      jsonPatch: [{ op: remove, path: /spec/desiredCount }]\n    - target: Environment\n');

    expect(problemsOf(parseSpecFiles(set({ 'staging.yaml': text })))).toEqual([
      `${at('specs/app/overlays/staging.yaml', text, 'target: Service')} spec.patches[0]: expected exactly one of merge and jsonPatch`,
      `${at('specs/app/overlays/staging.yaml', text, 'target: Environment')} spec.patches[1]: expected exactly one of merge and jsonPatch`,
    ]);
  });
});

describe('problems found through a rendering', () => {
  it('point at the base for a value the base wrote, once for every environment that renders it', () => {
    const base = BASE_API.replace('desiredCount: 2', 'desiredcount: 2');
    const r = parseSpecFiles(set({ 'prod.yaml': overlay('app-prod', '    []\n'), 'staging.yaml': overlay('app-staging', '    []\n') }, { 'env.yaml': BASE_ENV, 'api.yaml': base }));

    expect(problemsOf(r)).toEqual([
      `${at('specs/app/base/api.yaml', base, 'desiredcount')} spec.desiredcount: unknown field "desiredcount" (did you mean "desiredCount"?) (rendering app-prod, app-staging)`,
    ]);
  });

  it('point at the overlay for a value the overlay wrote, naming only its environment', () => {
    const staging = overlay('app-staging', '    - target: Service/api\n      merge:\n        spec:\n          desiredCount: -1\n          network: { subnets: [subnet-1] }\n');
    const r = parseSpecFiles(set({ 'prod.yaml': overlay('app-prod', '    []\n'), 'staging.yaml': staging }));

    expect(problemsOf(r)).toEqual([
      `${at('specs/app/overlays/staging.yaml', staging, '-1')} spec.desiredCount: expected a number of at least 0 (rendering app-staging)`,
      `${at('specs/app/overlays/staging.yaml', staging, 'subnet-1')} spec.network.subnets[0]: expected a subnet id (subnet-...) (rendering app-staging)`,
    ]);
  });

  it('point at the mapping that lacks a required field, and at the overlay for a reference it broke', () => {
    const env = BASE_ENV.replace('  cluster: app\n', '');
    const staging = overlay('app-staging', '    - target: Environment\n      merge: { spec: { cluster: app-staging } }\n    - target: Migration/db-migrate\n      merge: { spec: { fromService: apii } }\n');
    const r = parseSpecFiles(set({ 'prod.yaml': overlay('app-prod', '    []\n'), 'staging.yaml': staging }, { 'env.yaml': env, 'api.yaml': BASE_API, 'migrate.yaml': BASE_MIGRATION }));

    expect(problemsOf(r)).toEqual([
      `${at('specs/app/base/env.yaml', env, 'region')} spec.cluster: missing required field, expected a string (rendering app-prod)`,
      `${at('specs/app/overlays/staging.yaml', staging, 'apii')} spec.fromService: no Service named "apii" in environment app-staging (did you mean "api"?) (rendering app-staging)`,
    ]);
  });

  it('find a secret a patch writes under a secret\'s name, where the overlay wrote it, without repeating it', () => {
    const staging = overlay(
      'app-staging',
      '    - target: Service/api\n      jsonPatch:\n        - { op: add, path: /spec/taskDefinition/containers/app/environment/DB_PASSWORD, value: hunter2-staging }\n',
    );
    const problems = problemsOf(parseSpecFiles(set({ 'staging.yaml': staging })));

    expect(problems).toEqual([
      `${at('specs/app/overlays/staging.yaml', staging, 'hunter2')} spec.taskDefinition.containers[0].environment.DB_PASSWORD: looks like a secret (the name DB_PASSWORD says it is one) written into the spec; ` +
        'secrets are referenced, never written into a spec: store it in Secrets Manager or SSM Parameter Store and name its ARN under secrets (or logConfiguration.secretOptions) (rendering app-staging)',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2-staging');
  });

  it('report a secret written in a merge patch once, where it was written', () => {
    const staging = overlay('app-staging', '    - target: Service/api\n      merge:\n        spec:\n          taskDefinition:\n            containers:\n              - name: app\n                environment: { API_TOKEN: ghp_0123456789abcdefghijklmnopqrstuvwxyzAB }\n');
    const problems = problemsOf(parseSpecFiles(set({ 'staging.yaml': staging })));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${at('specs/app/overlays/staging.yaml', staging, 'ghp_')} spec\\.patches\\[0\\]\\.merge\\.spec\\.taskDefinition\\.containers\\[0\\]\\.environment\\.API_TOKEN: looks like a secret \\(a GitHub token\\)`));
    expect(problems[0]).not.toContain('ghp_0123');
  });
});

describe('bases', () => {
  it('refuse a document that names an environment, and an overlay whose base holds no document', () => {
    const stray = BASE_MIGRATION.replace('  name: db-migrate\n', '  name: db-migrate\n  environment: app-prod\n');
    const r = parseSpecFiles(set({ 'prod.yaml': overlay('app-prod', '    []\n'), 'staging.yaml': overlay('app-staging', '    []\n', '../nowhere') }, { 'env.yaml': BASE_ENV, 'api.yaml': BASE_API, 'migrate.yaml': stray }));

    expect(problemsOf(r)).toEqual([
      `${at('specs/app/base/migrate.yaml', stray, 'app-prod')} metadata.environment: a document of a base names no environment (the overlay gives it one): specs/app/base is the base of Overlay "app-prod" at specs/app/overlays/prod.yaml:1:1`,
      `specs/app/overlays/staging.yaml:6:9 spec.base: no documents of a base in specs/app/nowhere: a base is a folder of documents that name no environment, and it must be part of the spec set given (give the folder holding both the overlay and its base) (rendering app-staging)`,
    ]);
  });

  it('leave a document that names no environment and is in no base to be refused as before', () => {
    const r = parseSpecFiles([{ path: 'specs/api.yaml', content: BASE_API }]);

    expect(problemsOf(r)).toEqual(['specs/api.yaml:4:3 metadata.environment: missing required field, expected a string']);
  });

  it('refuse two overlays of one environment', () => {
    const r = parseSpecFiles(set({ 'a.yaml': overlay('app-prod', '    []\n'), 'b.yaml': overlay('app-prod', '    []\n') }));

    expect(problemsOf(r)).toEqual(['specs/app/overlays/b.yaml:4:9 metadata.name: duplicate Overlay "app-prod", first defined at specs/app/overlays/a.yaml:1:1']);
  });
});

describe('the documents a load renders', () => {
  it('are the rendered input, before defaults, with where each overlay value was written', () => {
    const staging = overlay('app-staging', '    - target: Service/api\n      merge: { spec: { desiredCount: 1 } }\n');
    const { result, documents } = renderSpecFiles(set({ 'staging.yaml': staging }));

    expect(result.ok).toBe(true);
    expect(documents.map((d) => `${d.environment} ${d.kind}/${d.name}`)).toEqual(['app-staging Environment/app-staging', 'app-staging Service/api', 'app-staging Migration/db-migrate']);
    const api = documents[1];
    expect(api.input).toMatchObject({ metadata: { name: 'api', environment: 'app-staging' }, spec: { desiredCount: 1 } });
    expect((api.input as { spec: Record<string, unknown> }).spec.deployment).toBeUndefined();
  });
});
