import { describe, expect, it } from 'vitest';
import { matchEnvironments, patternRegExp } from './patterns.js';

const NAMES = ['shop-prod', 'shop-dev', 'messaging-prod', 'shop.prod2'];

describe('matchEnvironments', () => {
  it('selects by exact name, by * and by ?, in the order of the specs', () => {
    expect(matchEnvironments(NAMES, ['shop-*'])).toEqual({ selected: ['shop-prod', 'shop-dev'], unmatched: [] });
    expect(matchEnvironments(NAMES, ['*-prod'])).toEqual({ selected: ['shop-prod', 'messaging-prod'], unmatched: [] });
    expect(matchEnvironments(NAMES, ['messaging-prod', 'shop-de?'])).toEqual({ selected: ['shop-dev', 'messaging-prod'], unmatched: [] });
  });

  it('takes comma-separated lists and repeated values alike', () => {
    expect(matchEnvironments(NAMES, ['shop-dev,messaging-*', 'shop-prod'])).toEqual({ selected: ['shop-prod', 'shop-dev', 'messaging-prod'], unmatched: [] });
  });

  it('treats every other character literally and says which patterns match nothing', () => {
    expect(patternRegExp('shop.prod2').test('shopXprod2')).toBe(false);
    expect(matchEnvironments(NAMES, ['shop.prod2', 'billing-*', 'shop-pro'])).toEqual({ selected: ['shop.prod2'], unmatched: ['billing-*', 'shop-pro'] });
  });
});
