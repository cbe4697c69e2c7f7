import { describe, expect, it } from 'vitest';
import { MemoryAlertStore, type AlertState } from './alerts.js';

const alert = (key: string, notifications = 1): AlertState => ({ key, resource: 'Service/api', kind: 'drift', summary: 'image differs', firstSeenAt: 1, lastNotifiedAt: 2, notifications });

describe('the in-memory alert store (tests and CLI runs)', () => {
  it('keeps each environment’s alerts apart, replaces by key and removes the keys given', async () => {
    const store = new MemoryAlertStore();
    await store.save('shop-prod', [alert('a'), alert('b')], []);
    await store.save('shop-stg', [alert('a', 9)], []);
    await store.save('shop-prod', [alert('b', 2), alert('c')], ['a']);

    expect(await store.load('shop-prod')).toStrictEqual([alert('b', 2), alert('c')]);
    expect(await store.load('shop-stg')).toStrictEqual([alert('a', 9)]);
    expect(await store.load('nowhere')).toStrictEqual([]);
  });

  it('hands out copies: changing what was loaded or saved changes nothing stored', async () => {
    const store = new MemoryAlertStore();
    const saved = alert('a');
    await store.save('shop-prod', [saved], []);
    saved.notifications = 99;
    (await store.load('shop-prod'))[0].notifications = 50;

    expect((await store.load('shop-prod'))[0].notifications).toBe(1);
  });
});
