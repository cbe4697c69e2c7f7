import { describe, expect, it } from 'vitest';
import { formatPath, orList, quote, suggest } from './messages.js';

describe('suggest', () => {
  it.each([
    ['desiredcount', 'desiredCount'],
    ['contianers', 'containers'],
    ['familly', 'family'],
    ['loadbalancer', 'loadBalancer'],
  ])('suggests the field meant by the typo %s', (typo, meant) => {
    expect(suggest(typo, ['desiredCount', 'containers', 'family', 'loadBalancer', 'after'])).toBe(meant);
  });

  it('suggests nothing when no candidate is close', () => {
    expect(suggest('colour', ['name', 'environment', 'labels', 'annotations'])).toBeUndefined();
  });

  it('allows one edit in a short word but not two', () => {
    expect(suggest('aftr', ['after'])).toBe('after');
    expect(suggest('aft', ['after'])).toBeUndefined();
  });
});

describe('formatPath', () => {
  it('writes indexes in brackets and identifiers after dots', () => {
    expect(formatPath(['spec', 'taskDefinition', 'containers', 0, 'image'])).toBe('spec.taskDefinition.containers[0].image');
  });

  it('quotes keys that are not plain identifiers', () => {
    expect(formatPath(['metadata', 'labels', 'app.kubernetes.io/name'])).toBe('metadata.labels["app.kubernetes.io/name"]');
  });

  it('is empty for the whole document', () => {
    expect(formatPath([])).toBe('');
  });
});

describe('quote and orList', () => {
  it('cuts a long name short', () => {
    expect(quote('x'.repeat(100))).toBe(`"${'x'.repeat(61)}..."`);
  });

  it('joins with commas and a final or', () => {
    expect([orList(['a']), orList(['a', 'b']), orList(['a', 'b', 'c'])]).toEqual(['a', 'a or b', 'a, b or c']);
  });
});
