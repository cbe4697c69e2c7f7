import { readFileSync } from 'node:fs';
import { CreateRuleCommand, CreateTargetGroupCommand, ModifyListenerCommand, ModifyTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DesiredEnvironment } from '../model/plan.js';
import { observe } from '../observe/observe.js';
import { createAdapters, runPass } from '../pass.js';
import { SimAccount } from '../sim/account.js';
import type { SimFixture, SimOrganizationFixture } from '../sim/fixture.js';
import { startHttpRecorder } from '../testing/servers.js';
import { EXAMPLES_FIXTURE, exampleSpecs } from '../testing/world.js';
import { checkWiring, type WiringOptions } from './check.js';
import type { LinkName, WiringResult } from './types.js';

const CERT = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/5f0c1c1e-1111-4a4a-9b9b-0123456789ab';
const DAY = 24 * 3600_000;

/** steady's own account of the examples organisation (the shop's), without the other accounts. */
const homeOf = ({ accounts: _others, ...home }: SimOrganizationFixture): SimFixture => home;

/**
 * The shop-prod example, converged by steady's real pass on the simulated account of
 * examples.yaml: one pass, then ten simulated minutes for the rollout to complete.
 */
async function shop(options: { fixture?: (f: SimFixture) => void; specs?: (d: DesiredEnvironment) => void } = {}) {
  const fixture = homeOf(parse(readFileSync(EXAMPLES_FIXTURE, 'utf8')));
  options.fixture?.(fixture);
  const account = new SimAccount({ accountId: fixture.accountId, region: fixture.region, seed: 42 }).seed(fixture);
  const desired = structuredClone(await exampleSpecs('shop-prod'));
  options.specs?.(desired);
  const clients = account.clients();
  const adapters = createAdapters(clients);
  await runPass({ desired, adapters, clock: account.clock });
  account.clock.advance(600_000);
  const check = async (o: WiringOptions = {}): Promise<WiringResult> => {
    const results = await checkWiring(desired, adapters, { now: () => account.clock.now(), ...o });
    expect(results.map((r) => r.service)).toEqual(['api']);
    return results[0];
  };
  const api = () => desired.services.find((s) => s.metadata.name === 'api')!;
  return { account, desired, clients, adapters, check, api };
}

/** The links as [name, status], for a compact look at the whole chain. */
const statuses = (r: WiringResult) => r.links.map((l) => [l.name, l.status]);
const linkOf = (r: WiringResult, name: LinkName) => r.links.find((l) => l.name === name)!;

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

describe('checkWiring on a fully wired environment', () => {
  it('reports Ready with the evidence of every link, probe included', async () => {
    const server = await startHttpRecorder({ status: 200, body: 'ok' });
    closers.push(server.close);
    const { account, adapters, check } = await shop({
      specs: (d) => {
        d.services[0].spec.probe = { url: `${server.endpoint}/healthz`, expectStatus: 200, timeoutSeconds: 5 };
      },
    });
    // The truth, read from the simulated account.
    const lb = account.elbv2.findByName('shop-api-alb')!;
    const tg = (await adapters.elbv2.targetGroupsByName(['shop-api-tg'])).found[0];
    const [listener] = await adapters.elbv2.listeners(lb.arn);
    const svc = (await adapters.ecs.describeServices('shop-prod', ['api'])).services[0];
    const { tasks } = await adapters.ecs.describeTasks('shop-prod', await adapters.ecs.listTasks('shop-prod', { serviceName: 'api' }));
    const digest = (repo: string, tag: string) => account.ecr.resolve(`123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/${repo}:${tag}`)!;
    const short = (d: string) => d.slice(0, 19);
    const ips = tasks.map((t) => `${t.privateIp}:8000`);

    const r = await check();

    expect(r.condition).toEqual({ type: 'Ready', reason: 'Wired', message: 'api.example.com reaches service api: every link is connected' });
    expect(r.firstBroken).toBeUndefined();
    expect(r).toMatchObject({ environment: 'shop-prod', service: 'api', serviceName: 'api', names: ['api.example.com'], loadBalancer: 'shop-api-alb', targetGroup: 'shop-api-tg' });
    expect(r.links.map((l) => [l.name, l.status, l.summary])).toEqual([
      ['alias', 'ok', `api.example.com A -> ${lb.dnsName}`],
      ['loadBalancer', 'ok', 'shop-api-alb active (application, internet-facing)'],
      ['listener', 'ok', 'HTTPS:443'],
      ['certificate', 'ok', 'expires 2027-01-30 (in 393 days)'],
      ['forward', 'ok', 'HTTPS:443 default action -> shop-api-tg'],
      ['targetGroup', 'ok', 'shop-api-tg HTTP:8000, ip targets'],
      ['healthCheck', 'ok', "/healthz, as container app's health check (http://localhost:8000/healthz)"],
      ['binding', 'ok', 'api -> shop-api-tg, container app:8000'],
      ['deployment', 'ok', `${svc.deployments[0].id} runs shop-api:1 (as the spec says), 2/2 tasks running`],
      ['targets', 'ok', `2/2 healthy (${ips.join(', ')})`],
      ['tasks', 'ok', `2 running tasks on the expected images (app ${short(digest('shop-api', 'latest'))}, datadog-agent ${short(digest('datadog/agent', '7'))})`],
      ['probe', 'ok', expect.stringMatching(new RegExp(`^GET ${server.endpoint}/healthz -> 200 in \\d+ ms$`))],
    ]);
    expect(Object.fromEntries(r.links.map((l) => [l.name, l.evidence]))).toEqual({
      alias: {
        records: ['api.example.com A'],
        zones: ['example.com'],
        loadBalancerDnsName: lb.dnsName,
        loadBalancerZoneId: 'Z14GRHDCWA56QT',
        aliasTargets: [`${lb.dnsName} (zone Z14GRHDCWA56QT)`],
      },
      loadBalancer: {
        name: 'shop-api-alb',
        arn: lb.arn,
        state: 'active',
        type: 'application',
        scheme: 'internet-facing',
        dnsName: lb.dnsName,
        foundBy: 'a listener or rule of it forwards to shop-api-tg',
      },
      listener: { listeners: ['HTTPS:443'], checked: ['HTTPS:443'], arns: [listener.arn], certificates: [CERT] },
      certificate: {
        certificates: [CERT],
        status: 'ISSUED',
        notAfter: '2027-01-30T00:00:00.000Z',
        daysLeft: 393,
        limitDays: 30,
        source: 'ACM',
      },
      forward: { targetGroup: 'shop-api-tg', targetGroupArn: tg.arn, routes: ['HTTPS:443 default action -> shop-api-tg'] },
      targetGroup: {
        name: 'shop-api-tg',
        arn: tg.arn,
        protocol: 'HTTP',
        port: 8000,
        targetType: 'ip',
        containerPort: 8000,
        healthCheck: 'HTTP traffic-port /healthz',
        matcher: '200',
      },
      healthCheck: {
        targetGroupPath: '/healthz',
        container: 'app',
        source: 'revision shop-api:1',
        containerCommand: 'curl -fsS http://localhost:8000/healthz || exit 1',
        containerUrl: 'http://localhost:8000/healthz',
      },
      binding: { service: 'api', serviceArn: svc.arn, bindings: ['shop-api-tg <- app:8000'], deploymentController: 'ECS' },
      deployment: {
        deployment: svc.deployments[0].id,
        taskDefinition: svc.taskDefinitionArn,
        runningCount: 2,
        desiredCount: 2,
        rolloutState: 'COMPLETED',
        otherDeployments: [],
      },
      targets: { targetGroup: 'shop-api-tg', healthy: ips },
      tasks: {
        runningTasks: 2,
        tasks: tasks.map((t) => t.arn.split('/').pop()),
        expected: [`app ${short(digest('shop-api', 'latest'))}`, `datadog-agent ${short(digest('datadog/agent', '7'))}`],
      },
      probe: { url: `${server.endpoint}/healthz`, expectStatus: 200, status: 200, latencyMs: expect.any(Number) },
    });
    expect(server.requests.map((q) => [q.method, q.url, q.headers['user-agent']])).toEqual([['GET', '/healthz', 'steady-wiring-probe']]);
  });

  it('changes nothing in the account', async () => {
    const { account, check } = await shop();
    const before = account.calls.length;

    await check();

    expect(account.calls.slice(before).filter((c) => !/^(Describe|List|Get)/.test(c.operation))).toEqual([]);
  });

  it('reuses what observe read and adds only listener, rule, target-health, task and certificate reads', async () => {
    const { account, desired, adapters, check } = await shop();
    const actual = await observe(desired, adapters, () => account.clock.now());
    const before = account.calls.length;

    const r = await check({ actual });

    expect(r.condition.type).toBe('Ready');
    expect(account.callCounts(before)).toEqual({
      'elbv2:DescribeListeners': 1,
      'elbv2:DescribeRules': 1,
      'elbv2:DescribeTargetHealth': 1,
      'ecs:ListTasks': 1,
      'ecs:DescribeTasks': 1,
      'acm:DescribeCertificate': 1,
    });
  });
});

describe('checkWiring names the first broken link', () => {
  it('a listener that forwards to a different target group', async () => {
    const { account, clients, check } = await shop();
    const lb = account.elbv2.findByName('shop-api-alb')!;
    const web = (await clients.elbv2.send(new CreateTargetGroupCommand({ Name: 'shop-web-tg', Protocol: 'HTTP', Port: 3000, TargetType: 'ip' }))).TargetGroups![0];
    const [listener] = (await createAdapters(clients).elbv2.listeners(lb.arn));
    await clients.elbv2.send(new ModifyListenerCommand({ ListenerArn: listener.arn, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }] }));

    const r = await check();

    expect(r.firstBroken).toBe('forward');
    expect(r.condition).toEqual({
      type: 'Degraded',
      reason: 'ListenerForwardsElsewhere',
      message:
        'listener HTTPS:443 of shop-api-alb forwards to shop-web-tg (default action), not to shop-api-tg: requests for api.example.com never reach service api. Point the default action, or a rule, at shop-api-tg',
    });
    expect(statuses(r).slice(0, 5)).toEqual([
      ['alias', 'ok'],
      ['loadBalancer', 'ok'],
      ['listener', 'ok'],
      ['certificate', 'ok'],
      ['forward', 'broken'],
    ]);
    // With nothing forwarding to shop-api-tg, steady still knows which load balancer was meant.
    expect(linkOf(r, 'loadBalancer').evidence.foundBy).toBe('no load balancer forwards to shop-api-tg; shop-api-alb is the only load balancer an AliasRecord of shop-prod targets');
    expect(linkOf(r, 'targets').reason).toBe('NoHealthyTargets');
  });

  it('a health-check path the container health check does not request', async () => {
    const { account, clients, adapters, check } = await shop();
    const tg = (await adapters.elbv2.targetGroupsByName(['shop-api-tg'])).found[0];
    await clients.elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: tg.arn, HealthCheckPath: '/health' }));
    // What follows on AWS: the application answers /health with 404.
    account.elbv2.failHealthChecks('shop-api-tg');
    account.clock.advance(60_000);

    const r = await check();

    expect(r.firstBroken).toBe('healthCheck');
    expect(r.condition).toEqual({
      type: 'Degraded',
      reason: 'HealthCheckPathMismatch',
      message:
        "target group shop-api-tg checks /health, but container app's own health check requests /healthz (curl -fsS http://localhost:8000/healthz || exit 1): the load balancer probes a path the application may not serve. Make them the same: the target group's health-check path, or the container's healthCheck.command",
    });
    expect(statuses(r).filter(([, s]) => s !== 'ok')).toEqual([
      ['healthCheck', 'broken'],
      ['targets', 'broken'],
    ]);
  });

  it('a target group port that differs from the container port', async () => {
    const { check } = await shop({
      fixture: (f) => {
        f.elbv2!.targetGroups![0] = { name: 'shop-api-tg', port: 80, healthCheckPath: '/healthz' };
      },
    });

    const r = await check();

    expect(r.firstBroken).toBe('targetGroup');
    expect(r.condition).toEqual({
      type: 'Degraded',
      reason: 'TargetGroupPortMismatch',
      message:
        'target group shop-api-tg is for port 80, but container app listens on 8000 (spec.loadBalancer.containerPort): a target group\'s port cannot be changed, so create one for port 8000 and move the listener and service api to it, or fix the spec',
    });
    expect(linkOf(r, 'targetGroup').evidence).toMatchObject({ port: 80, containerPort: 8000 });
  });

  it('no healthy targets', async () => {
    const { account, check } = await shop();
    account.elbv2.failHealthChecks('shop-api-tg');
    account.clock.advance(60_000);

    const r = await check();

    expect(r.firstBroken).toBe('targets');
    expect(r.condition).toEqual({
      type: 'Degraded',
      reason: 'NoHealthyTargets',
      message:
        'none of the 2 targets in shop-api-tg is healthy (2 unhealthy: Target.ResponseCodeMismatch: Health checks failed with these codes: [404]) — the application answers /healthz with another code than 200: the load balancer answers 503',
    });
    expect(statuses(r).filter(([, s]) => s !== 'ok')).toEqual([['targets', 'broken']]);
  });

  it('running tasks on an old digest after a new image was pushed under the same tag', async () => {
    // DESIGN.md failure 1: CI owns the image and deploys `shop-api:latest` as a tag; a new
    // `latest` is pushed but no new deployment starts, so the tasks keep the old image.
    const { account, adapters, check } = await shop({
      specs: (d) => {
        d.services[0].spec.taskDefinition.containers[0].imageOwner = 'external';
      },
    });
    const latest = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:latest';
    const [svc] = (await adapters.ecs.describeServices('shop-prod', ['api'])).services;
    const current = (await adapters.ecs.describeTaskDefinition(svc.taskDefinitionArn))!;
    const byTag = await adapters.ecs.registerTaskDefinition({
      ...current.content,
      containerDefinitions: current.content.containerDefinitions.map((c) => (c.name === 'app' ? { ...c, image: latest } : c)),
    });
    await adapters.ecs.updateService('shop-prod', 'api', { taskDefinitionArn: byTag.arn });
    account.clock.advance(600_000);
    const old = account.ecr.resolve(latest)!;
    const pushed = account.ecr.push('shop-api', 'latest');

    const r = await check();

    expect(r.firstBroken).toBe('tasks');
    expect(r.condition).toEqual({
      type: 'Degraded',
      reason: 'StaleImage',
      message: `2 of 2 running tasks of ECS service api run ${old.slice(0, 19)} in container app, not shop-api:latest, which is now ${pushed.slice(0, 19)}: ECS resolved the tag when the deployment started and keeps that image. Start a new deployment (aws ecs update-service --cluster shop-prod --service api --force-new-deployment), or let steady own the image so it pins digests`,
    });
    expect(linkOf(r, 'deployment').summary).toMatch(/ runs shop-api:2 \(as the spec says\), 2\/2 tasks running$/);
  });

  it('a listener certificate about to expire', async () => {
    const { account, check } = await shop();
    account.elbv2.setCertificate(CERT, { domainName: 'api.example.com', notAfter: account.clock.now() + 10 * DAY });

    const r = await check();

    expect(r.firstBroken).toBe('certificate');
    expect(r.condition).toEqual({
      type: 'Degraded',
      reason: 'CertificateExpiring',
      message: `certificate for api.example.com (${CERT}) on listener HTTPS:443 of shop-api-alb expires on 2026-01-11, in 10 days (the limit is 30): ACM renews the certificates it issued 60 days before they expire, so this one is imported or failed to renew (check its DNS validation record). Renew or replace it before then`,
    });
    expect(statuses(r).filter(([, s]) => s !== 'ok')).toEqual([['certificate', 'broken']]);
  });

  it('a probe answering 502 behind healthy targets, as an application problem', async () => {
    const server = await startHttpRecorder({ status: 502, body: 'Bad Gateway' });
    closers.push(server.close);
    const { check } = await shop({
      specs: (d) => {
        d.services[0].spec.probe = { url: `${server.endpoint}/healthz`, expectStatus: 200, timeoutSeconds: 5 };
      },
    });

    const r = await check();

    expect(r.firstBroken).toBe('probe');
    expect(r.condition).toEqual({
      type: 'Degraded',
      reason: 'ApplicationProblem',
      message: `GET ${server.endpoint}/healthz answered 502, expected 200, while every link from the name to the running containers is connected and healthy: this is an application problem (look at the application's logs and its dependencies), not an infrastructure one`,
    });
    expect(statuses(r).filter(([, s]) => s !== 'ok')).toEqual([['probe', 'broken']]);
    expect(r.probe).toMatchObject({ url: `${server.endpoint}/healthz`, status: 502, expectStatus: 200, ok: false });
  });
});

describe('checkWiring, more breaks', () => {
  it('an alias left on the DNS name of a recreated load balancer, healable by the next pass', async () => {
    const { account, check } = await shop();
    const old = account.elbv2.findByName('shop-api-alb')!;
    account.elbv2.recreateLoadBalancer('shop-api-alb');
    // Active after 2 minutes; the targets pass their first checks after 5 x 30 s.
    account.clock.advance(300_000);
    const now = account.elbv2.findByName('shop-api-alb')!;

    const r = await check();

    expect(r.firstBroken).toBe('alias');
    expect(linkOf(r, 'alias')).toMatchObject({
      status: 'broken',
      reason: 'AliasStale',
      healable: true,
      message: `api.example.com A points at ${old.dnsName} (zone Z14GRHDCWA56QT), but shop-api-alb is ${now.dnsName} (zone Z14GRHDCWA56QT): requests for api.example.com do not reach the load balancer. steady's reconcile pass re-points the alias`,
    });
    expect(statuses(r).filter(([, s]) => s !== 'ok')).toEqual([['alias', 'broken']]);
  });

  it('a service running another revision than the spec asks for, healable by the next pass', async () => {
    const { check, api } = await shop();
    api().spec.taskDefinition.containers[0].environment.APP_ENV = 'staging';

    const r = await check();

    expect(r.firstBroken).toBe('deployment');
    const deployment = linkOf(r, 'deployment');
    expect(deployment).toMatchObject({ status: 'broken', reason: 'UnexpectedRevision', healable: true });
    expect(deployment.message).toBe(
      `the PRIMARY deployment ${deployment.evidence.deployment} of ECS service api runs shop-api:1, which differs from the spec in taskDefinition.containers[app].environment[APP_ENV]; steady's reconcile pass registers the expected revision and rolls it out`,
    );
    expect(deployment.evidence.differences).toEqual([
      'taskDefinition.containers[app].environment[APP_ENV]: production -> staging',
    ]);
  });

  it('a rule that forwards to the target group only for another host name', async () => {
    const { account, clients, adapters, check } = await shop();
    const lb = account.elbv2.findByName('shop-api-alb')!;
    const tg = (await adapters.elbv2.targetGroupsByName(['shop-api-tg'])).found[0];
    const web = (await clients.elbv2.send(new CreateTargetGroupCommand({ Name: 'shop-web-tg', Protocol: 'HTTP', Port: 3000, TargetType: 'ip' }))).TargetGroups![0];
    const [listener] = await adapters.elbv2.listeners(lb.arn);
    await clients.elbv2.send(new ModifyListenerCommand({ ListenerArn: listener.arn, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }] }));
    await clients.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listener.arn,
        Priority: 10,
        Conditions: [{ Field: 'host-header', Values: ['*.example.net'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: tg.arn }],
      }),
    );

    const r = await check();

    expect(r.firstBroken).toBe('forward');
    expect(r.condition).toEqual({
      type: 'Degraded',
      reason: 'RuleHostMismatch',
      message: "HTTPS:443 rule 10 (host-header *.example.net) of shop-api-alb forwards to shop-api-tg only for other host names than api.example.com: add api.example.com to the rule's host-header condition",
    });

    // A rule whose pattern covers the name serves it.
    await clients.elbv2.send(
      new CreateRuleCommand({ ListenerArn: listener.arn, Priority: 20, Conditions: [{ Field: 'host-header', Values: ['*.EXAMPLE.com'] }], Actions: [{ Type: 'forward', TargetGroupArn: tg.arn }] }),
    );
    expect(linkOf(await check(), 'forward')).toMatchObject({ status: 'ok', summary: 'HTTPS:443 rule 20 (host-header *.EXAMPLE.com) -> shop-api-tg' });
  });

  it('a listener port the spec expects but the load balancer does not have', async () => {
    const { check } = await shop({
      specs: (d) => {
        d.services[0].spec.loadBalancer!.listener = { port: 8443, protocol: 'HTTPS' };
      },
    });

    const r = await check();

    expect(r.firstBroken).toBe('listener');
    expect(r.condition).toEqual({
      type: 'Degraded',
      reason: 'ListenerNotFound',
      message: 'load balancer shop-api-alb has no listener on port 8443 (it has HTTPS:443): add an HTTPS listener on port 8443 with a certificate that forwards to shop-api-tg',
    });
  });

  it('an ECS service that does not exist yet', async () => {
    const fixture = homeOf(parse(readFileSync(EXAMPLES_FIXTURE, 'utf8')));
    const account = new SimAccount({ accountId: fixture.accountId, region: fixture.region, seed: 42 }).seed(fixture);
    const desired = await exampleSpecs('shop-prod');

    const [r] = await checkWiring(desired, createAdapters(account.clients()), { now: () => account.clock.now() });

    expect(r.firstBroken).toBe('alias');
    expect(statuses(r)).toEqual([
      ['alias', 'broken'],
      ['loadBalancer', 'ok'],
      ['listener', 'ok'],
      ['certificate', 'ok'],
      ['forward', 'ok'],
      ['targetGroup', 'ok'],
      ['healthCheck', 'ok'],
      ['binding', 'broken'],
      ['deployment', 'skipped'],
      ['targets', 'broken'],
      ['tasks', 'skipped'],
    ]);
    expect(linkOf(r, 'binding').message).toBe("ECS service api does not exist in cluster shop-prod; steady's reconcile pass creates it");
    expect(linkOf(r, 'alias').message).toBe("api.example.com A does not exist in zone example.com, so the name resolves to nothing; steady's reconcile pass creates the alias to shop-api-alb");
  });

  it('reports what it could not read as unknown, not as broken', async () => {
    const { account, check } = await shop();
    account.faults.fail({ service: 'elbv2', operation: 'DescribeTargetHealth', error: 'accessDenied' });

    const r = await check();

    expect(r.firstBroken).toBe('targets');
    expect(linkOf(r, 'targets')).toMatchObject({ status: 'unknown', reason: 'ReadFailed', cause: { kind: 'accessDenied', action: 'elasticloadbalancing:DescribeTargetHealth' } });
    expect(linkOf(r, 'targets').message).toMatch(/^could not read target health of shop-api-tg \(reading target health of target group arn:aws:elasticloadbalancing:.*: AccessDenied.*\)$/);
    expect(r.condition.reason).toBe('ReadFailed');
  });

  it('checks a service with a probe but no load balancer from its deployment on', async () => {
    const server = await startHttpRecorder({ status: 200 });
    closers.push(server.close);
    const { check, api } = await shop();
    api().spec.loadBalancer = undefined;
    api().spec.probe = { url: `${server.endpoint}/healthz`, expectStatus: 200, timeoutSeconds: 5 };

    const r = await check();

    expect(statuses(r)).toEqual([
      ['deployment', 'ok'],
      ['tasks', 'ok'],
      ['probe', 'ok'],
    ]);
    expect(r.condition).toEqual({ type: 'Ready', reason: 'Wired', message: 'service api runs what the spec says and answers its probe' });
  });

  it('skips the probes when asked to', async () => {
    const server = await startHttpRecorder({ status: 502 });
    closers.push(server.close);
    const { check, api } = await shop();
    api().spec.probe = { url: `${server.endpoint}/healthz`, expectStatus: 200, timeoutSeconds: 5 };

    const r = await check({ probes: false });

    expect(linkOf(r, 'probe')).toMatchObject({ status: 'skipped', message: 'not checked: probes were not run' });
    expect(r.condition.type).toBe('Ready');
    expect(server.requests).toEqual([]);
  });

  it('reports certificate expiry as not checked when there is no certificate reader', async () => {
    const { check } = await shop();

    const r = await check({ certificates: null });

    expect(r.condition.type).toBe('Ready');
    expect(linkOf(r, 'certificate')).toMatchObject({
      status: 'skipped',
      message: 'certificate expiry not checked: reading it needs ACM DescribeCertificate, and steady has no ACM client yet',
    });
  });
});
