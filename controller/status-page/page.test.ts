import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HOSTILE, hostileSite } from '../testing/status-fixtures.js';
import { anchorId, escapeHtml, html } from './html.js';
import { renderStatusPage } from './page.js';
import { CONTENT_SECURITY_POLICY, STYLESHEET } from './style.js';

/** Every tag name in the document, in order. */
const tags = (page: string) => [...page.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1].toLowerCase());
/** Every attribute name in the document. */
const attributes = (page: string) => [...page.matchAll(/<[a-zA-Z][^>]*>/g)].flatMap((m) => [...m[0].matchAll(/\s([a-zA-Z-:]+)(?==)/g)].map((a) => a[1].toLowerCase()));

describe('the status page renderer', () => {
  it('escapes markup in every field that comes from specs, AWS or messages', () => {
    const page = renderStatusPage(hostileSite());

    expect(tags(page)).not.toContain('script');
    expect(tags(page)).not.toContain('img');
    expect(tags(page)).not.toContain('svg');
    expect(attributes(page).filter((a) => a.startsWith('on'))).toEqual([]);
    expect([...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]).filter((h) => !h.startsWith('#'))).toEqual([]);
    // Shown as text, every one of them.
    for (const h of HOSTILE) expect(page).toContain(escapeHtml(h));
  });

  it('loads nothing and runs nothing: a strict CSP allowing only its own stylesheet, no script, no URL', () => {
    const page = renderStatusPage(hostileSite());
    const hash = createHash('sha256').update(STYLESHEET).digest('base64');

    expect(CONTENT_SECURITY_POLICY).toBe(`default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`);
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`);
    expect(page).toContain(`<style>${STYLESHEET}</style>`);
    expect(attributes(page)).not.toContain('style');
    expect(attributes(page)).not.toContain('src');
    expect(page).not.toMatch(/https?:\/\//);
    expect([...page.matchAll(/href="([^"]*)"/g)].every((m) => m[1].startsWith('#'))).toBe(true);
  });

  it('gives every fragment a distinct id that links resolve to', () => {
    const page = renderStatusPage(hostileSite());
    const ids = [...page.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
    const hrefs = [...page.matchAll(/href="#([^"]*)"/g)].map((m) => m[1]);

    expect(new Set(ids).size).toBe(ids.length);
    for (const h of hrefs) expect(ids).toContain(h);
  });

  it('makes ids from any name without letting it out of the attribute', () => {
    expect(anchorId('env', 'shop-prod')).toBe('env-shop-prod');
    expect(anchorId('env', 'a"b <c>')).toBe('env-a.22b.20.3cc.3e');
    expect(anchorId('env', 'a/b')).not.toBe(anchorId('env', 'a.b'));
    expect(html`<a id="${anchorId('x', '"><script>')}">`.text).not.toContain('<script');
  });
});
