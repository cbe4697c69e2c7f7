/**
 * A thousand services stay one light page: healthy chains fold to one line past a few dozen, and
 * only so many broken chains, attention cards and drift entries are drawn in full; the counts
 * always cover everything.
 */
import { describe, expect, it } from 'vitest';
import type { DriftRecord, StoredStatus } from '../state/records.js';
import type { WiringLink } from '../wiring/types.js';
import { MAX_CHAIN_CARDS, MAX_HEALTHY_DRAWN } from './chain.js';
import type { SiteData } from './data.js';
import { renderStatusPage } from './page.js';
import { MAX_ATTENTION_CARDS } from './sections.js';
import { MAX_TIMELINE_ENTRIES } from './timeline.js';

const NOW = Date.UTC(2026, 0, 2);

function link(name: WiringLink['name'], broken: boolean): WiringLink {
  return broken
    ? { name, status: 'broken', ok: false, summary: `${name} is broken`, evidence: { id: `${name}-1` }, reason: 'NoHealthyTargets', message: `fix the ${name}` }
    : { name, status: 'ok', ok: true, summary: `${name} is fine`, evidence: { id: `${name}-1` } };
}

function wiring(name: string, broken: boolean): StoredStatus {
  return {
    environment: 'big',
    resource: `Wiring/${name}`,
    kind: 'Wiring',
    name,
    phase: broken ? 'Failed' : 'Synced',
    reason: broken ? 'NoHealthyTargets' : 'Wired',
    message: broken ? 'targets: none healthy' : 'every link connected',
    diff: [],
    specHash: 'h',
    wiring: { names: [`${name}.example.com`], loadBalancer: 'alb', targetGroup: `tg-${name}`, links: [link('alias', false), link('targets', broken)], firstBroken: broken ? 'targets' : undefined, checkedAt: NOW },
    lastTransitionTime: NOW - 60_000,
    passId: 'p',
    updatedAt: NOW,
  };
}

function drift(i: number): DriftRecord {
  return { environment: 'big', resource: `Service/svc-${i}`, key: `k${i}`, summary: `drift ${i}`, diff: [], detectedAt: NOW - i * 1000, detectedBy: 'p', lastSeenAt: NOW, healedAt: NOW - i * 1000 + 30_000, timeToHealMs: 30_000, resolution: 'healed' };
}

function site(healthy: number, broken: number, driftEvents = 0): SiteData {
  const statuses = [...Array.from({ length: healthy }, (_, i) => wiring(`ok-${i}`, false)), ...Array.from({ length: broken }, (_, i) => wiring(`bad-${String(i).padStart(4, '0')}`, true))];
  return { generatedAt: NOW, since: NOW - 86_400_000, source: 'table t', environments: [{ name: 'big', statuses, passes: [], drift: Array.from({ length: driftEvents }, (_, i) => drift(i)) }] };
}

const count = (page: string, pattern: RegExp) => [...page.matchAll(pattern)].length;

describe('the status page of a large environment', () => {
  it('keeps the evidence of a few healthy chains, and folds many to one line each', () => {
    const few = renderStatusPage(site(MAX_HEALTHY_DRAWN, 0));
    const many = renderStatusPage(site(MAX_HEALTHY_DRAWN + 1, 0));

    expect(count(few, /<li><details><summary>✓ ok-/g)).toBe(MAX_HEALTHY_DRAWN);
    expect(few).toContain('<dt>id</dt><dd>targets-1</dd>');
    expect(count(many, /<li>✓ ok-\d+ <span class="muted mono">ok-\d+\.example\.com → alb → tg-ok-\d+ → ok-\d+<\/span> <span class="muted">\(2 links\)<\/span><\/li>/g)).toBe(MAX_HEALTHY_DRAWN + 1);
    expect(many).not.toContain('<dd>targets-1</dd>');
    expect(many).toContain(`${MAX_HEALTHY_DRAWN + 1} services connected end to end`);
  });

  it('draws the first broken chains in full and lists the others with what to fix', () => {
    const page = renderStatusPage(site(0, MAX_CHAIN_CARDS + 3));

    expect(count(page, /<article class="card bad"/g)).toBe(MAX_CHAIN_CARDS);
    expect(page).toContain(`<p class="meta">${MAX_CHAIN_CARDS + 3} of ${MAX_CHAIN_CARDS + 3} services have a broken or unread link.</p>`);
    expect(page).toContain('3 more broken chains (the evidence of each: <code>steady verify</code>)');
    expect(page).toContain(`<li><span class="t bad">Failed</span> bad-${String(MAX_CHAIN_CARDS + 2).padStart(4, '0')}: ✗ targets <code>NoHealthyTargets</code> fix the targets</li>`);
  });

  it('draws so many cards under "Needs attention" and says how many more there are', () => {
    const page = renderStatusPage(site(0, MAX_ATTENTION_CARDS + 7));
    const attention = page.slice(page.indexOf('>Needs attention<'), page.indexOf('>Wiring: from the name'));

    expect(count(attention, /<div class="card bad">/g)).toBe(MAX_ATTENTION_CARDS);
    expect(attention).toContain('<p class="meta">7 more, at the top of the resources below.</p>');
  });

  it('draws the newest drift entries and counts every one', () => {
    const page = renderStatusPage(site(1, 0, MAX_TIMELINE_ENTRIES + 20));

    expect(count(page, /<li class="ok"><p><time/g)).toBe(MAX_TIMELINE_ENTRIES);
    expect(page).toContain(`${MAX_TIMELINE_ENTRIES + 20} drift events, 0 open; median time to heal <strong>30s</strong>.`);
    expect(page).toContain('The 20 older events are in <code>steady history</code>.');
    expect(page).toContain('<strong>Service/svc-0</strong>');
    expect(page).not.toContain(`<strong>Service/svc-${MAX_TIMELINE_ENTRIES}</strong>`);
  });
});
