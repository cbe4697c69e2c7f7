/**
 * Rules over a whole spec set, after each document has been checked on its own: names are
 * unique, every resource's environment exists, references resolve, and no two specs claim the
 * same AWS resource (they would undo each other's work on every pass).
 */
import { formatPath, quote, suggest } from './messages.js';
import type { Kind, MaintenanceDoc, ScheduledTaskDoc, SpecDoc } from './schema.js';
import type { SourceLocation, SpecProblem } from './load.js';
import type { Sourced } from './sourced.js';

/** A document as the loader read it; `doc` is set only when it passed its schema. */
export interface LoadedDoc {
  kind: Kind;
  /** metadata.name as written, even when the document is invalid. */
  name?: string;
  /** The environment it belongs to (its own name for an Environment), as written. */
  environment?: string;
  doc?: SpecDoc;
  /** Where the document starts. */
  start: SourceLocation;
  /** Where a field of the document is (its nearest existing parent when it is missing). */
  locate(path: ReadonlyArray<PropertyKey>): SourceLocation;
  /** The document before defaults, as written or as an overlay rendered it (`steady render`). */
  input?: unknown;
  /** For a document an overlay rendered: every value with where it was written. */
  root?: Sourced;
}

/** Every set-level problem; documents that failed their schema are only looked up, never checked. */
export function checkSpecSet(docs: LoadedDoc[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const report = (d: LoadedDoc, path: PropertyKey[], message: string) =>
    problems.push({ ...d.locate(path), path: formatPath(path), message });

  const environments = new Map<string, LoadedDoc>();
  for (const d of docs) {
    if (d.kind !== 'Environment' || d.name === undefined) continue;
    const first = environments.get(d.name);
    if (first) report(d, ['metadata', 'name'], `duplicate Environment ${quote(d.name)}, first defined at ${where(first)}`);
    else environments.set(d.name, d);
  }

  const resources = new Map<string, LoadedDoc>();
  const key = (environment: string, kind: Kind, name: string) => `${environment}\0${kind}\0${name}`;
  for (const d of docs) {
    if (d.kind === 'Environment' || d.name === undefined || d.environment === undefined) continue;
    if (!environments.has(d.environment)) {
      report(d, ['metadata', 'environment'], `no Environment named ${quote(d.environment)}${didYouMean(d.environment, [...environments.keys()])}`);
    }
    const k = key(d.environment, d.kind, d.name);
    const first = resources.get(k);
    if (first) report(d, ['metadata', 'name'], `duplicate ${d.kind} ${quote(d.name)} in environment ${d.environment}, first defined at ${where(first)}`);
    else resources.set(k, d);
  }

  const namesOf = (environment: string, kind: Kind) =>
    docs.filter((d) => d.kind === kind && d.environment === environment && d.name !== undefined).map((d) => d.name as string);
  const resolve = (d: LoadedDoc, path: PropertyKey[], kind: Kind, name: string): LoadedDoc | undefined => {
    const env = d.environment as string;
    const target = resources.get(key(env, kind, name));
    if (!target) report(d, path, `no ${kind} named ${quote(name)} in environment ${env}${didYouMean(name, namesOf(env, kind))}`);
    return target;
  };

  // Claims on AWS resources, per environment: the first document to claim one keeps it.
  const claims = new Map<string, LoadedDoc>();
  const claim = (d: LoadedDoc, path: PropertyKey[], what: string, message: (first: LoadedDoc) => string) => {
    const k = `${d.environment}\0${what}`;
    const first = claims.get(k);
    if (first) report(d, path, message(first));
    else claims.set(k, d);
  };
  const by = (first: LoadedDoc) => `${first.kind} ${quote(first.name ?? '')} at ${where(first)}`;

  for (const d of docs) {
    const doc = d.doc;
    if (!doc || doc.kind === 'Environment' || !environments.has(doc.metadata.environment)) continue;
    // A duplicate has been reported as such; its claims would only repeat that.
    if (resources.get(key(doc.metadata.environment, doc.kind, doc.metadata.name)) !== d) continue;
    if (doc.kind === 'Service') {
      doc.spec.after.forEach((name, i) => resolve(d, ['spec', 'after', i], 'Migration', name));
      const ecsName = doc.spec.serviceName ?? doc.metadata.name;
      claim(d, doc.spec.serviceName ? ['spec', 'serviceName'] : ['metadata', 'name'], `service:${ecsName}`, (first) =>
        `ECS service ${quote(ecsName)} is already claimed by ${by(first)}; two Services would fight over it`,
      );
      const family = doc.spec.taskDefinition.family;
      claim(d, ['spec', 'taskDefinition', 'family'], `family:${family}`, (first) =>
        `task definition family ${quote(family)} is already used by ${by(first)}; both would register revisions of it`,
      );
    } else if (doc.kind === 'Migration') {
      doc.spec.before.forEach((name, i) => resolve(d, ['spec', 'before', i], 'Service', name));
      if (doc.spec.taskDefinition) {
        const family = doc.spec.taskDefinition.family;
        claim(d, ['spec', 'taskDefinition', 'family'], `family:${family}`, (first) =>
          `task definition family ${quote(family)} is already used by ${by(first)}; both would register revisions of it`,
        );
      }
      if (doc.spec.fromService) {
        const service = resolve(d, ['spec', 'fromService'], 'Service', doc.spec.fromService)?.doc;
        if (service?.kind === 'Service') {
          const containers = service.spec.taskDefinition.containers.map((c) => c.name);
          if (doc.spec.container && !containers.includes(doc.spec.container)) {
            report(d, ['spec', 'container'], `expected a container of Service ${quote(service.metadata.name)} (${containers.join(', ')}), got ${quote(doc.spec.container)}`);
          }
          // A fromService migration runs a copy of the service's task definition in a family of its own.
          const family = `${service.spec.taskDefinition.family}-${doc.metadata.name}`;
          claim(d, ['spec', 'fromService'], `family:${family}`, (first) =>
            `this migration's task definition family ${quote(family)} is already used by ${by(first)}; both would register revisions of it`,
          );
        }
      }
    } else if (doc.kind === 'ScheduledTask') {
      checkScheduledTask(d, doc, { resolve, claim, by, report });
    } else if (doc.kind === 'Maintenance') {
      checkMaintenance(d, doc, { resolve, claim, by, report });
    } else {
      const record = `${doc.spec.name} ${doc.spec.type}`;
      claim(d, ['spec', 'name'], `record:${record}`, (first) =>
        `record ${doc.spec.name} (${doc.spec.type}) is already managed by ${by(first)}; two AliasRecords would fight over it`,
      );
    }
  }
  return problems;
}

/** What the set-level checks of one kind get to work with. */
interface SetChecks {
  resolve(d: LoadedDoc, path: PropertyKey[], kind: Kind, name: string): LoadedDoc | undefined;
  claim(d: LoadedDoc, path: PropertyKey[], what: string, message: (first: LoadedDoc) => string): void;
  by(first: LoadedDoc): string;
  report(d: LoadedDoc, path: PropertyKey[], message: string): void;
}

/** EventBridge Scheduler's longest group name. */
const MAX_GROUP_NAME = 64;

/**
 * A scheduled task's service exists and has its container; its task-definition family and its
 * schedule are its alone; its default schedule group's name fits Scheduler's limit.
 */
function checkScheduledTask(d: LoadedDoc, doc: ScheduledTaskDoc, c: SetChecks): void {
  const env = doc.metadata.environment;
  const group = doc.spec.group ?? `steady-${env}`;
  if (!doc.spec.group && group.length > MAX_GROUP_NAME) {
    c.report(d, ['metadata', 'environment'], `the default schedule group ${group} is longer than Scheduler's ${MAX_GROUP_NAME} characters; set spec.group`);
  }
  const schedule = doc.spec.scheduleName ?? doc.metadata.name;
  c.claim(d, doc.spec.scheduleName ? ['spec', 'scheduleName'] : ['metadata', 'name'], `schedule:${group}/${schedule}`, (first) =>
    `schedule ${group}/${schedule} is already claimed by ${c.by(first)}; two ScheduledTasks would fight over it`,
  );
  if (doc.spec.taskDefinition) {
    const family = doc.spec.taskDefinition.family;
    c.claim(d, ['spec', 'taskDefinition', 'family'], `family:${family}`, (first) =>
      `task definition family ${quote(family)} is already used by ${c.by(first)}; both would register revisions of it`,
    );
  }
  if (!doc.spec.fromService) return;
  const service = c.resolve(d, ['spec', 'fromService'], 'Service', doc.spec.fromService)?.doc;
  if (service?.kind !== 'Service') return;
  const containers = service.spec.taskDefinition.containers.map((x) => x.name);
  if (doc.spec.container && !containers.includes(doc.spec.container)) {
    c.report(d, ['spec', 'container'], `expected a container of Service ${quote(service.metadata.name)} (${containers.join(', ')}), got ${quote(doc.spec.container)}`);
  }
  // Like a fromService migration, it runs a copy of the service's task definition in a family of its own.
  const family = `${service.spec.taskDefinition.family}-${doc.metadata.name}`;
  c.claim(d, ['spec', 'fromService'], `family:${family}`, (first) =>
    `this scheduled task's task definition family ${quote(family)} is already used by ${c.by(first)}; both would register revisions of it`,
  );
}

/**
 * A Maintenance's watched services exist; no two Maintenances switch one distribution or own one
 * listener rule priority (each would undo the other's switch).
 */
function checkMaintenance(d: LoadedDoc, doc: MaintenanceDoc, c: SetChecks): void {
  doc.spec.automatic?.services?.forEach((name, i) => c.resolve(d, ['spec', 'automatic', 'services', i], 'Service', name));
  const cf = doc.spec.cloudFront;
  if (cf) {
    c.claim(d, ['spec', 'cloudFront', 'distribution'], `maintenance-distribution:${cf.distribution}`, (first) =>
      `CloudFront distribution ${cf.distribution} is already switched by ${c.by(first)}; two Maintenances would fight over it`,
    );
  }
  const lb = doc.spec.loadBalancer;
  if (lb) {
    const rule = `${lb.name}:${lb.listener.port} priority ${lb.priority}`;
    c.claim(d, ['spec', 'loadBalancer', 'priority'], `maintenance-rule:${rule}`, (first) =>
      `listener rule ${rule} is already owned by ${c.by(first)}; give each Maintenance a priority of its own`,
    );
  }
}

function where(d: LoadedDoc): string {
  return `${d.start.file}:${d.start.line}:${d.start.column}`;
}

function didYouMean(word: string, candidates: string[]): string {
  const guess = suggest(word, candidates);
  return guess ? ` (did you mean ${quote(guess)}?)` : '';
}
