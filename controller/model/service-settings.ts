/**
 * The service settings of CreateService/UpdateService that steady takes as ECS names them (ECS Exec,
 * capacity providers, tag propagation, Service Connect, Cloud Map, EBS volumes, deployment alarms),
 * and their canonical form: what both the spec side and DescribeServices are turned into before they
 * are compared, so that an unchanged service never differs by a default ECS fills in or an order
 * it changes.
 *
 * - the defaults ECS assumes are filled: `enableExecuteCommand: false`, `propagateTags: NONE`,
 *   `enableECSManagedTags: false`, `availabilityZoneRebalancing: DISABLED` (an UpdateService that
 *   never set it), a capacity provider's `base` and `weight` of 0, Service Connect access logs
 *   without query parameters;
 * - empty lists and objects are absent ones; lists whose order means nothing are sorted by what
 *   identifies an item (`SERVICE_LIST_KEYS`).
 *
 * Pure: no I/O, no SDK import.
 */
import { isObject, tidyWith, type Obj } from './tidy.js';

/** A capacity provider of a service's strategy: FARGATE or FARGATE_SPOT for steady's services. */
export interface CapacityProviderItem {
  capacityProvider: string;
  weight: number;
  base: number;
}

/** CloudWatch alarms that fail a deployment: `deploymentConfiguration.alarms`. */
export interface DeploymentAlarms {
  alarmNames: string[];
  enable: boolean;
  rollback: boolean;
}

/** The settings of this module, in ECS's shapes (canonical form). */
export interface EcsServiceExtras {
  capacityProviderStrategy?: CapacityProviderItem[];
  enableExecuteCommand?: boolean;
  propagateTags?: 'TASK_DEFINITION' | 'SERVICE' | 'NONE';
  enableECSManagedTags?: boolean;
  availabilityZoneRebalancing?: 'ENABLED' | 'DISABLED';
  serviceConnectConfiguration?: Record<string, unknown>;
  serviceRegistries?: Record<string, unknown>[];
  volumeConfigurations?: Record<string, unknown>[];
}

/** The settings of `EcsServiceExtras`, by name. */
export const EXTRA_SETTINGS = [
  'capacityProviderStrategy',
  'enableExecuteCommand',
  'propagateTags',
  'enableECSManagedTags',
  'availabilityZoneRebalancing',
  'serviceConnectConfiguration',
  'serviceRegistries',
  'volumeConfigurations',
] as const satisfies readonly (keyof EcsServiceExtras)[];

/** What ECS assumes when a setting is not there. */
export const SERVICE_DEFAULTS: Readonly<EcsServiceExtras> = {
  enableExecuteCommand: false,
  propagateTags: 'NONE',
  enableECSManagedTags: false,
  availabilityZoneRebalancing: 'DISABLED',
};

/** Lists of items identified by one of their fields, by the list's field name. */
const SERVICE_LIST_KEYS: Readonly<Record<string, string>> = {
  capacityProviderStrategy: 'capacityProvider',
  serviceRegistries: 'registryArn',
  services: 'portName',
  clientAliases: 'port',
  volumeConfigurations: 'name',
  secretOptions: 'name',
  tags: 'key',
};

/** Lists of strings whose order means nothing. */
const SERVICE_SETS = new Set(['alarmNames']);


const tidy = tidyWith((field, items) => {
  if (SERVICE_SETS.has(field) && items.every((i) => typeof i === 'string')) return [...(items as string[])].sort();
  const key = SERVICE_LIST_KEYS[field];
  if (!key || !items.every(isObject)) return items;
  const id = (i: unknown) => String((i as Obj)[key]);
  return [...items].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
});

/** Service Connect with its defaults as ECS assumes them. */
function serviceConnect(sc: Obj): Obj {
  const access = isObject(sc.accessLogConfiguration) ? sc.accessLogConfiguration : undefined;
  return {
    ...sc,
    accessLogConfiguration: access && {
      ...access,
      includeQueryParameters: access.includeQueryParameters === 'DISABLED' ? undefined : access.includeQueryParameters,
    },
  };
}

/**
 * One setting in canonical form; `undefined` when it says nothing beyond ECS's default for a
 * setting with a default (`propagateTags: NONE` is the same as no `propagateTags`).
 *
 * @example
 * canonicalSetting('capacityProviderStrategy', [{ capacityProvider: 'FARGATE_SPOT', weight: 3 }, { capacityProvider: 'FARGATE', base: 1, weight: 1 }])
 * // [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 3 }]
 */
export function canonicalSetting<K extends keyof EcsServiceExtras>(field: K, value: unknown): EcsServiceExtras[K] {
  let v = value;
  if (field === 'capacityProviderStrategy' && Array.isArray(v)) {
    v = v.map((i: Obj) => ({ ...i, base: i.base ?? 0, weight: i.weight ?? 0 }));
  }
  if (field === 'serviceConnectConfiguration' && isObject(v)) v = serviceConnect(v);
  const tidied = tidy(v, field);
  return (tidied ?? SERVICE_DEFAULTS[field]) as EcsServiceExtras[K];
}

/** Every setting of `raw` in canonical form, ECS's defaults filled where it says nothing. */
export function canonicalExtras(raw: Partial<Record<keyof EcsServiceExtras, unknown>>): EcsServiceExtras {
  const out: EcsServiceExtras = {};
  for (const field of EXTRA_SETTINGS) {
    const v = canonicalSetting(field, raw[field]);
    if (v !== undefined) (out as Record<string, unknown>)[field] = v;
  }
  return out;
}

/** Deployment alarms in canonical form (alarm names as a sorted set). */
export function canonicalAlarms(alarms: Partial<DeploymentAlarms> | undefined): DeploymentAlarms | undefined {
  if (!alarms?.alarmNames?.length) return undefined;
  return { alarmNames: [...alarms.alarmNames].sort(), enable: alarms.enable ?? false, rollback: alarms.rollback ?? false };
}
