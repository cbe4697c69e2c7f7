import { describe, expect, it } from 'vitest';
import { emptyActualState, findRecord, type ObservedZone } from './actual.js';
import type { RecordSet } from './aws.js';

const zone = (records: RecordSet[]): ObservedZone => ({ zone: { id: 'Z1', name: 'example.com', private: false }, records });

describe("finding a record in an observed zone", () => {
  const weighted: RecordSet = { name: 'api.example.com', type: 'A', setIdentifier: 'blue', values: ['10.0.0.1'] };
  const simple: RecordSet = { name: 'api.example.com', type: 'A', values: ['10.0.0.2'] };
  const aaaa: RecordSet = { name: 'api.example.com', type: 'AAAA', values: ['::1'] };
  const other: RecordSet = { name: 'www.example.com', type: 'A', values: ['10.0.0.3'] };

  it('finds the simple record of a name and type, not a routing-set member', () => {
    const z = zone([weighted, simple, aaaa, other]);

    expect(findRecord(z, 'api.example.com', 'A')).toBe(simple);
    expect(findRecord(z, 'api.example.com', 'AAAA')).toBe(aaaa);
    expect(findRecord(z, 'www.example.com', 'A')).toBe(other);
    expect(findRecord(z, 'www.example.com', 'AAAA')).toBeUndefined();
  });

  it('with anySet, finds the first record of that name and type, routing set or not', () => {
    const z = zone([weighted, simple, { ...weighted, setIdentifier: 'green' }]);

    expect(findRecord(z, 'api.example.com', 'A', { anySet: true })).toBe(weighted);
    expect(findRecord(z, 'api.example.com', 'A')).toBe(simple);
  });

  it('finds nothing simple where a name has only routing-set members, and the first of two simple records', () => {
    const first = { ...simple };
    const z = zone([weighted, first, { ...simple, values: ['10.9.9.9'] }]);

    expect(findRecord(zone([weighted]), 'api.example.com', 'A')).toBeUndefined();
    expect(findRecord(z, 'api.example.com', 'A')).toBe(first);
  });
});

describe('an empty actual state', () => {
  it('has nothing in it but its environment and time', () => {
    expect(emptyActualState('shop-prod', 1000)).toStrictEqual({
      environment: 'shop-prod',
      observedAt: 1000,
      images: {},
      services: {},
      taskDefinitions: {},
      familyRevisions: {},
      targetGroups: {},
      loadBalancers: {},
      distributions: {},
      zones: {},
      migrations: {},
      blueGreen: {},
      scheduledTasks: {},
      scheduleGroups: {},
      maintenance: {},
      unreadable: [],
    });
  });
});
