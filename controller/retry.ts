/**
 * The documented way to let steady try again what it stopped retrying on its own: a migration
 * version that failed, or a rollout the ECS circuit breaker rolled back. steady remembers both in
 * AWS (tags); retrying clears that memory so the next pass acts again.
 */
import { TAG_CODEDEPLOY, TAG_MIGRATION_ATTEMPT, TAG_MIGRATION_RESULT, TAG_MIGRATION_VERSION, TAG_ROLLOUT, type DesiredEnvironment } from './model/plan.js';
import type { Adapters } from './observe/observe.js';
import { migrationFamily, serviceName } from './plan/desired.js';

/**
 * Clears what stops steady from retrying `service/NAME` or `migration/NAME`; returns a sentence
 * saying what will happen next. Throws for an unknown resource. `beforeChange` (the lease's) runs
 * before the tags are changed, and throws if the lease was lost.
 *
 * @example
 * console.log(await retryResource(desired, 'migration/db-migrate', adapters, held.beforeChange));
 */
export async function retryResource(desired: DesiredEnvironment, resource: string, adapters: Adapters, beforeChange: () => Promise<void> = async () => {}): Promise<string> {
  const m = /^(service|migration)\/([a-z0-9-]+)$/i.exec(resource);
  if (!m) throw new Error(`expected service/NAME or migration/NAME, got "${resource}"`);
  const [, kind, name] = m;
  const cluster = desired.environment.spec.cluster;
  if (kind.toLowerCase() === 'service') {
    const svc = desired.services.find((s) => s.metadata.name === name);
    if (!svc) throw new Error(`no Service ${name} in environment ${desired.name}`);
    const { services } = await adapters.ecs.describeServices(cluster, [serviceName(svc)]);
    // A rolling service remembers its last rollout in steady:rollout, a blue/green one its CodeDeploy deployment.
    const keys = [TAG_ROLLOUT, TAG_CODEDEPLOY].filter((k) => services[0]?.tags[k]);
    if (keys.length === 0) return `service ${serviceName(svc)} has no failed rollout to forget; the next pass rolls out what the spec says`;
    const revision = (services[0].tags[TAG_ROLLOUT] ?? services[0].tags[TAG_CODEDEPLOY]).replace(/^d-[A-Z0-9]+@/, '').split('@')[0];
    await beforeChange();
    await adapters.ecs.untagResource(services[0].arn, keys);
    return `service ${serviceName(svc)}: steady forgot the rollout of ${revision}; the next pass rolls it out again if the spec still asks for it`;
  }
  const migration = desired.migrations.find((x) => x.metadata.name === name);
  if (!migration) throw new Error(`no Migration ${name} in environment ${desired.name}`);
  const latest = await adapters.ecs.describeTaskDefinition(migrationFamily(migration, desired.services), { tags: true });
  const result = latest?.tags?.[TAG_MIGRATION_RESULT];
  if (!latest || !result) return `migration ${name} has no result to forget; the next pass runs it if it has not run`;
  // A new attempt means a new RunTask client token, so ECS starts a new task instead of answering with the old one.
  const attempt = (Number(latest.tags?.[TAG_MIGRATION_ATTEMPT] ?? '0') || 0) + 1;
  await beforeChange();
  await adapters.ecs.tagResource(latest.arn, { [TAG_MIGRATION_ATTEMPT]: String(attempt) });
  await adapters.ecs.untagResource(latest.arn, [TAG_MIGRATION_RESULT]);
  return `migration ${name}: version ${latest.tags?.[TAG_MIGRATION_VERSION]} (${result}) runs again on the next pass (attempt ${attempt + 1})`;
}
