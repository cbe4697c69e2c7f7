/**
 * Canonical service settings: what a spec writes and what DescribeServices answers (ECS's defaults
 * filled, lists in ECS's order) must come to one form, and a real difference must stay one. Every
 * expected value is written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { canonicalAlarms, canonicalExtras, canonicalSetting } from './service-settings.js';

describe('canonical service settings: an unchanged service never differs by what ECS fills in', () => {
  it("ECS's defaults are the same as saying nothing", () => {
    expect(canonicalExtras({})).toStrictEqual({ enableExecuteCommand: false, propagateTags: 'NONE', enableECSManagedTags: false, availabilityZoneRebalancing: 'DISABLED' });
    expect(canonicalExtras({ enableExecuteCommand: false, propagateTags: 'NONE', enableECSManagedTags: false, availabilityZoneRebalancing: 'DISABLED', serviceRegistries: [], volumeConfigurations: [] })).toStrictEqual(
      canonicalExtras({}),
    );
    expect(canonicalSetting('capacityProviderStrategy', [])).toBeUndefined();
    expect(canonicalSetting('serviceConnectConfiguration', null)).toBeUndefined();
  });

  it('a capacity provider without base or weight has 0 of each, and the strategy is a set by provider', () => {
    const spec = canonicalSetting('capacityProviderStrategy', [{ capacityProvider: 'FARGATE_SPOT', weight: 3 }, { capacityProvider: 'FARGATE', base: 1, weight: 1 }]);
    const described = canonicalSetting('capacityProviderStrategy', [
      { capacityProvider: 'FARGATE', base: 1, weight: 1 },
      { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 3 },
    ]);

    expect(spec).toStrictEqual([
      { capacityProvider: 'FARGATE', base: 1, weight: 1 },
      { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 3 },
    ]);
    expect(described).toStrictEqual(spec);
    expect(canonicalSetting('capacityProviderStrategy', [{ capacityProvider: 'FARGATE' }])).toStrictEqual([{ capacityProvider: 'FARGATE', base: 0, weight: 0 }]);
  });

  it('a real setting is kept as it is', () => {
    expect(canonicalExtras({ enableExecuteCommand: true, propagateTags: 'SERVICE', availabilityZoneRebalancing: 'ENABLED', enableECSManagedTags: true })).toStrictEqual({
      enableExecuteCommand: true,
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
      availabilityZoneRebalancing: 'ENABLED',
    });
  });

  it('Service Connect: services, client aliases and secret options are sets by their key; query parameters DISABLED is the default', () => {
    const spec = {
      enabled: true,
      namespace: 'shop',
      services: [
        { portName: 'web', clientAliases: [{ port: 8080, dnsName: 'web' }, { port: 80, dnsName: 'web80' }] },
        { portName: 'api', clientAliases: [{ port: 9000 }] },
      ],
      logConfiguration: { logDriver: 'awslogs', secretOptions: [{ name: 'b', valueFrom: 'y' }, { name: 'a', valueFrom: 'x' }] },
      accessLogConfiguration: { format: 'JSON', includeQueryParameters: 'DISABLED' },
    };

    expect(canonicalSetting('serviceConnectConfiguration', spec)).toStrictEqual({
      enabled: true,
      namespace: 'shop',
      services: [
        { portName: 'api', clientAliases: [{ port: 9000 }] },
        { portName: 'web', clientAliases: [{ port: 80, dnsName: 'web80' }, { port: 8080, dnsName: 'web' }] },
      ],
      logConfiguration: { logDriver: 'awslogs', secretOptions: [{ name: 'a', valueFrom: 'x' }, { name: 'b', valueFrom: 'y' }] },
      accessLogConfiguration: { format: 'JSON' },
    });
    expect(canonicalSetting('serviceConnectConfiguration', { enabled: true, accessLogConfiguration: { format: 'TEXT', includeQueryParameters: 'ENABLED' } })).toStrictEqual({
      enabled: true,
      accessLogConfiguration: { format: 'TEXT', includeQueryParameters: 'ENABLED' },
    });
  });

  it('registries and volumes are sets by ARN and name; a list of plain values keeps its order', () => {
    expect(canonicalSetting('serviceRegistries', [{ registryArn: 'arn:b' }, { registryArn: 'arn:a', port: 80 }])).toStrictEqual([{ registryArn: 'arn:a', port: 80 }, { registryArn: 'arn:b' }]);
    expect(canonicalSetting('volumeConfigurations', [{ name: 'z', managedEBSVolume: { sizeInGiB: 1, tagSpecifications: [{ tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }] }] } }, { name: 'a' }])).toStrictEqual([
      { name: 'a' },
      { name: 'z', managedEBSVolume: { sizeInGiB: 1, tagSpecifications: [{ tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] }] } },
    ]);
    // Items that are not objects under a keyed field are left in order.
    expect(canonicalSetting('serviceRegistries', ['b', 'a'])).toStrictEqual(['b', 'a']);
  });
});

describe('canonical deployment alarms', () => {
  it('are a sorted set of names, enable and rollback off unless said', () => {
    expect(canonicalAlarms({ alarmNames: ['5xx', 'latency', '4xx'] })).toStrictEqual({ alarmNames: ['4xx', '5xx', 'latency'], enable: false, rollback: false });
    expect(canonicalAlarms({ alarmNames: ['b', 'a'], enable: true, rollback: true })).toStrictEqual({ alarmNames: ['a', 'b'], enable: true, rollback: true });
  });

  it('without any alarm name are no alarms at all', () => {
    expect(canonicalAlarms(undefined)).toBeUndefined();
    expect(canonicalAlarms({ alarmNames: [], enable: true, rollback: true })).toBeUndefined();
    expect(canonicalAlarms({ enable: true })).toBeUndefined();
  });

  it('does not reorder the caller’s list', () => {
    const names = ['b', 'a'];
    canonicalAlarms({ alarmNames: names });
    expect(names).toEqual(['b', 'a']);
  });
});
