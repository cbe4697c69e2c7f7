/**
 * The keys a simulated-account fixture may use, section by section, so that a misspelt key
 * (`desiredcount`, `healthcheckPath`) is refused with its place in the file rather than ignored.
 * Mirrors the `*Fixture` types of each simulated service; the README of this folder describes them.
 */
import { suggest } from '../spec/messages.js';

/** An object's keys (each with the shape of its value), a list of one shape, a map of names to one shape, or a value not looked into. */
type Shape = { [key: string]: Shape } | [Shape] | { '*': Shape } | null;

const LISTENER_REF: Shape = { loadBalancer: null, port: null };

const SHAPE: Shape = {
  accountId: null,
  region: null,
  start: null,
  ecr: { repositories: { '*': [{ tags: null, digest: null }] } },
  elbv2: {
    vpcId: null,
    targetGroups: [{ name: null, port: null, protocol: null, targetType: null, healthCheckPath: null, healthCheckPort: null, matcher: null, deregistrationDelay: null, tags: null }],
    loadBalancers: [
      {
        name: null,
        scheme: null,
        type: null,
        tags: null,
        listeners: [{ port: null, protocol: null, certificate: null, forward: null, rules: [{ priority: null, pathPattern: null, hostHeader: null, forward: null }] }],
      },
    ],
    certificates: [{ arn: null, domainName: null, notAfter: null, status: null }],
  },
  route53: {
    zones: [
      {
        name: null,
        id: null,
        vpc: null,
        comment: null,
        records: [
          {
            name: null,
            type: null,
            ttl: null,
            values: null,
            setIdentifier: null,
            weight: null,
            alias: { loadBalancer: null, dualstack: null, cloudFront: null, dnsName: null, hostedZoneId: null, evaluateTargetHealth: null },
          },
        ],
      },
    ],
  },
  cloudfront: {
    distributions: [
      {
        id: null,
        domainName: null,
        aliases: null,
        enabled: null,
        origin: null,
        origins: [{ id: null, domainName: null, originAccessControlId: null, path: null }],
        defaultOrigin: null,
        behaviors: [{ pathPattern: null, origin: null }],
        customErrorResponses: [{ errorCode: null, pagePath: null, responseCode: null, cachingMinTtl: null }],
        defaultRootObject: null,
        comment: null,
        tags: null,
      },
    ],
  },
  ecs: {
    clusters: [{ name: null, tags: null, capacityProviders: null }],
    // RegisterTaskDefinition's input, as the SDK takes it (the simulated ECS checks it as ECS does).
    taskDefinitions: null,
    services: [
      {
        name: null,
        cluster: null,
        taskDefinition: null,
        desiredCount: null,
        network: { subnets: null, securityGroups: null, assignPublicIp: null },
        loadBalancer: { targetGroup: null, containerName: null, containerPort: null },
        deploymentController: null,
        circuitBreaker: { enable: null, rollback: null },
        minimumHealthyPercent: null,
        maximumPercent: null,
        alarms: { alarmNames: null, enable: null, rollback: null },
        healthCheckGracePeriodSeconds: null,
        platformVersion: null,
        tags: null,
        // CreateService's other input, as the SDK takes it.
        settings: null,
      },
    ],
    taskOutcomes: [{ family: null, container: null, command: null, exitCode: null, runMs: null }],
  },
  codedeploy: {
    applications: [
      {
        name: null,
        deploymentGroups: [
          {
            name: null,
            service: { cluster: null, name: null },
            targetGroups: null,
            prodListener: LISTENER_REF,
            testListener: LISTENER_REF,
            deploymentConfig: null,
            terminationWaitMinutes: null,
            readyWait: { minutes: null, actionOnTimeout: null },
            autoRollback: null,
            serviceRoleArn: null,
          },
        ],
      },
    ],
  },
};

/**
 * The keys of `fixture` no fixture type has, each as `path: message`
 * (`ecs.services[0].desiredcount: unknown key (did you mean "desiredCount"?)`). Iterative.
 */
export function unknownFixtureKeys(fixture: unknown): string[] {
  const problems: string[] = [];
  const stack: [unknown, Shape, string][] = [[fixture, SHAPE, '']];
  while (stack.length > 0) {
    const [value, shape, at] = stack.pop()!;
    if (shape === null || value === null || typeof value !== 'object') continue;
    if (Array.isArray(shape)) {
      if (Array.isArray(value)) value.forEach((item, i) => stack.push([item, shape[0], `${at}[${i}]`]));
      continue;
    }
    if (Array.isArray(value)) continue;
    const entries = Object.entries(value as Record<string, unknown>);
    if ('*' in shape && Object.keys(shape).length === 1) {
      for (const [key, v] of entries) stack.push([v, (shape as { '*': Shape })['*'], `${at}.${key}`]);
      continue;
    }
    const known = shape as Record<string, Shape>;
    for (const [key, v] of entries) {
      const where = at ? `${at}.${key}` : key;
      if (key in known) stack.push([v, known[key], where]);
      else problems.push(`${where}: unknown key${suggestion(key, Object.keys(known))}; expected one of ${Object.keys(known).join(', ')}`);
    }
  }
  return problems.sort();
}

/** ` (did you mean "desiredCount"?)` for a key that differs only in case or by a letter or two. */
function suggestion(key: string, known: string[]): string {
  const near = suggest(key, known);
  return near ? ` (did you mean "${near}"?)` : '';
}
