/**
 * Whole-object replacements carry over what steady does not own.
 *
 * Some AWS calls replace an object whole rather than the fields they are given: UpdateService's
 * `deploymentConfiguration` (which also holds deployment `alarms` and ECS's own blue/green
 * `strategy`, `bakeTimeInMinutes` and `lifecycleHooks`), EventBridge Scheduler's UpdateSchedule,
 * CloudFront's UpdateDistribution. Built from the spec alone, such a call deletes every field steady
 * does not manage. So the object sent is the one observed, with steady's own fields applied.
 *
 * (Task definitions follow the same rule by refusing instead: content of a running revision the
 * spec cannot express blocks the service, see `plan/expressible.ts`, so a new revision never drops it.)
 *
 * Pure.
 */

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
/** Objects and arrays: a path may go through a list by index (`CacheBehaviors.Items.2.TargetOriginId`). */
const isContainer = (v: unknown): v is Obj => isObject(v) || Array.isArray(v);

function get(obj: unknown, path: string[]): unknown {
  return path.reduce<unknown>((o, k) => (isContainer(o) ? o[k] : undefined), obj);
}

function set(obj: Obj, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (rest.length === 0) {
    if (value === undefined) delete obj[head];
    else obj[head] = structuredClone(value);
    return;
  }
  if (!isContainer(obj[head])) {
    if (value === undefined) return;
    obj[head] = {};
  }
  set(obj[head] as Obj, rest, value);
}

/**
 * The whole object to send to an API that replaces it whole: `observed` as it is, with every field
 * steady owns (`owned`, dotted paths such as `deploymentCircuitBreaker` or
 * `ViewerCertificate.ACMCertificateArn`; a number steps into a list, as in
 * `CacheBehaviors.Items.2.TargetOriginId`) taken from `desired`. An owned field `desired` leaves out is
 * removed; every other field is carried over untouched. `observed` itself is not changed.
 *
 * @example
 * carryOver({ maximumPercent: 200, alarms: { alarmNames: ['5xx'], enable: true, rollback: true } },
 *           ['maximumPercent', 'minimumHealthyPercent'], { maximumPercent: 150, minimumHealthyPercent: 50 })
 * // { maximumPercent: 150, minimumHealthyPercent: 50, alarms: { alarmNames: ['5xx'], enable: true, rollback: true } }
 */
export function carryOver<T extends object>(observed: object | undefined, owned: readonly string[], desired: object): T {
  const out = structuredClone((observed ?? {}) as Obj);
  for (const field of owned) {
    const path = field.split('.');
    set(out, path, get(desired, path));
  }
  return out as T;
}
