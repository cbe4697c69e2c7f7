/**
 * `steady demo` (what `npm start` runs), in-process on the examples: the story it tells, and the two
 * accounts it tells it in. The organisation the demo built is kept (the real
 * `simOrganizationFromFile`, its result remembered), so the test reads each simulated account
 * afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { built } from '../testing/built-organizations.js';
import { runCli as run } from '../testing/cli.js';
import { MESSAGING_ACCOUNT, SPECS_DIR } from '../testing/world.js';

vi.mock('../sim/fixture.js', async (original) => (await import('../testing/built-organizations.js')).rememberOrganizations(original));

const HOME = '123456789012';
const ROLE = `arn:aws:iam::${MESSAGING_ACCOUNT}:role/steady-target`;

describe('steady demo', () => {
  // One run of the story (a few seconds), read by each test.
  let code: number;
  let stdout: string;
  let html: string;
  let pageUrl: string;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'steady-demo-'));
    built.length = 0;
    ({ code, stdout } = await run('demo', SPECS_DIR, '--html', dir));
    pageUrl = pathToFileURL(path.join(dir, 'index.html')).href;
    html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the examples, breaks them the way the failures happen, heals them, and ends with nothing to do', () => {
    expect(code).toBe(0);
    // The first pass: what did not exist is "created"; action lines name the revision registered; a pinned image names the spec's tag.
    const first = stdout.slice(stdout.indexOf('1. The first pass'), stdout.indexOf('2. Ten minutes later'));
    expect(first).toMatch(/\+ Migration\/db-migrate +created\n/);
    expect(first).toMatch(/\+ AliasRecord\/apex-dns +created\n/);
    expect(first).toContain('    done     register task definition shop-api:1\n');
    expect(first).toContain('    done     create service api (shop-api:1, 2 tasks)\n');
    expect(first).toMatch(/ -> 210987654321\.dkr\.ecr\.ap-northeast-1\.amazonaws\.com\/messaging-api@sha256:[0-9a-f]{12}…\s+\(spec: messaging-api:v2\.7\.1\)\n/);
    expect(first).not.toContain('<new revision>');
    const healing = stdout.slice(stdout.indexOf('3. The next pass'), stdout.indexOf('4. And once'));
    expect(healing).toContain('    done     update service api: task definition shop-api:1 -> shop-api:2\n');
    expect(healing).toMatch(/ -> \S+\/shop-api@sha256:[0-9a-f]{12}…\s+\(spec: shop-api:latest\)\n/);
    expect(stdout).toContain('! CI pushed a new image to shop-api:latest, and nobody registered a new task definition');
    expect(stdout).toContain('! the ALB shop-api-alb was deleted and created again: it has a new DNS name');
    expect(stdout).toContain('! someone scaled the service api to 0 by hand');
    const quiet = stdout.slice(stdout.indexOf('4. And once ECS has rolled out'), stdout.indexOf('5. At '));
    expect(quiet).toContain('messaging-prod: No changes. 3 resources in sync.');
    expect(quiet).toContain('shop-prod: No changes. 7 resources in sync.');
    // shop-staging, rendered from the same base: its own cluster, one service without the agent.
    expect(quiet).toContain('shop-staging: No changes. 5 resources in sync.');
    // The night: the nightly migration runs on the simulated Scheduler, exits 1, and is reported.
    const night = stdout.slice(stdout.indexOf('5. At '));
    expect(night).toContain('5. At 2026-01-02 03:00 Asia/Tokyo, EventBridge Scheduler runs db-migrate-nightly, and it fails');
    expect(night).toMatch(/ScheduledTask\/db-migrate-nightly[\s\S]*the run due 2026-01-02 03:00 Asia\/Tokyo failed: exit code 1 after 55 s \(task\s+[0-9a-f]{32}\)/);
    // The maintenance window: on by command, both entry points switched, off, everything back.
    const window = stdout.slice(stdout.indexOf('6. A database upgrade'));
    expect(window).toContain('$ steady maintenance on --env shop-prod --for 2h --reason "DB upgrade" --by ana');
    expect(window).toContain('Maintenance shop of shop-prod: on by command (ana: DB upgrade) since 2026-01-01 18:05 UTC until 2026-01-01 20:05 UTC');
    expect(window).toMatch(/~ Maintenance\/shop +switched on\n/);
    expect(window).toContain('done     switch CloudFront E2QWRUHAPOMQZL to maintenance');
    expect(window).toContain('done     create maintenance rule 1 on HTTPS:443 of shop-api-alb');
    expect(window).toContain('Maintenance shop of shop-prod: off');
    expect(window).toMatch(/~ Maintenance\/shop +switched off\n/);
    expect(window).toContain(
      'Everything is back as before: the configuration of E2QWRUHAPOMQZL is byte for byte what it was, and shop-api-alb has no maintenance rule left and forwards to the containers again.',
    );
    // The status page of those passes, drawn from the demo's own state table.
    expect(stdout).toContain(`The status page of these passes (environments, wiring, drift and time to heal): ${pageUrl}\n`);
    expect(html).toContain('<h2 id="overview">Environments (3)</h2>');
    expect(html).toMatch(/<strong>AliasRecord\/api-dns<\/strong> <span class="t ok">healed by steady<\/span> healed after/);
    // shop-prod after the night: the failed nightly run beside the six resources in sync (the Maintenance among them).
    expect(html).toContain('<span class="counts"><span class="t bad">1 Failed</span><span class="t ok">6 Synced</span></span>');
  });

  it('tells its story in two accounts: messaging-prod in its own, reached through its role and external id; the shop in steady\'s', () => {
    expect(code).toBe(0);
    // Where each environment lives is said at the start and on each summary line.
    expect(stdout.split('\n').slice(2, 4)).toEqual([
      `  shop-prod, shop-staging live in steady's own account ${HOME}.`,
      `  messaging-prod lives in account ${MESSAGING_ACCOUNT}, reached through the role ${ROLE} (STS AssumeRole, with its external id).`,
    ]);
    const first = stdout.slice(stdout.indexOf('1. The first pass'), stdout.indexOf('2. Ten minutes later'));
    expect(first.split('\n').slice(2, 6)).toEqual([
      `messaging-prod  account ${MESSAGING_ACCOUNT} (role steady-target)  converged   1 in sync, 1 created, 1 healed`,
      `shop-prod       account ${HOME} (steady's own)        converging  1 in sync, 4 created, 2 converging`,
      `shop-staging    account ${HOME} (steady's own)        converging  3 created, 2 converging`,
      '',
    ]);
    const quiet = stdout.slice(stdout.indexOf('4. And once ECS has rolled out'), stdout.indexOf('5. At '));
    expect(quiet.split('\n').slice(2, 5)).toEqual([
      `messaging-prod  account ${MESSAGING_ACCOUNT} (role steady-target)  converged  3 in sync`,
      `shop-prod       account ${HOME} (steady's own)        converged  7 in sync`,
      `shop-staging    account ${HOME} (steady's own)        converged  5 in sync`,
    ]);
    // The external id is sent, never printed.
    expect(stdout).not.toContain('steady-messaging');

    expect(built).toHaveLength(1);
    const [org] = built;
    const messaging = org.account(MESSAGING_ACCOUNT, 'ap-northeast-1');
    // messaging's revision, adoption, deployment and record were made in its own account ...
    const service = messaging.ecs.describeServices({ cluster: 'messaging-prod', services: ['messaging-api'], include: ['TAGS'] }).services[0];
    expect(service.taskDefinition).toBe(`arn:aws:ecs:ap-northeast-1:${MESSAGING_ACCOUNT}:task-definition/messaging-api:2`);
    expect(service.tags).toContainEqual({ key: 'steady:managed-by', value: 'steady' });
    expect(messaging.route53.recordSets('example.net').map((r) => `${r.Type} ${r.Name}`)).toEqual(expect.arrayContaining(['A api.example.net.', 'TXT _steady-a.api.example.net.']));
    expect([...new Set(messaging.mutatingCalls().map((c) => c.operation))].sort()).toEqual(['ChangeResourceRecordSets', 'CreateDeployment', 'RegisterTaskDefinition', 'TagResource']);
    // ... and nothing of it in steady's: no call there names messaging, and steady's own calls went to the shop.
    expect(org.home.calls.filter((c) => JSON.stringify(c.input).includes('messaging'))).toEqual([]);
    expect(org.home.mutatingCalls().map((c) => c.operation)).toContain('CreateService');
    // Every AssumeRole was of the spec's role with the spec's external id, a session named after a pass of messaging-prod, and none was refused.
    expect(org.stsCalls.length).toBeGreaterThan(0);
    expect(new Set(org.stsCalls.map((c) => JSON.stringify([c.operation, c.input.RoleArn, c.input.ExternalId, c.error])))).toEqual(
      new Set([JSON.stringify(['AssumeRole', ROLE, 'steady-messaging', undefined])]),
    );
    expect(org.stsCalls.every((c) => /^messaging-prod-2026-/.test(c.input.RoleSessionName))).toBe(true);
  });
});
