/**
 * A service's wiring chain as a person reads it: the links from the public name to the containers
 * in request order, each with its mark (✓ ✗ ? –), the first broken link outlined with what to fix,
 * and every link's evidence one click away. Healthy chains are folded into one list so that a
 * thousand services stay readable and small.
 */
import type { WiringChain, WiringChainLink as WiringLink } from '../model/wiring.js';
import { LINK_TITLES, type LinkName } from '../wiring/types.js';
import type { StoredStatus } from '../state/records.js';
import { anchorId, html, type Markup } from './html.js';
import { badge, evidenceText } from './format.js';
import { linkWord, phaseWord } from './words.js';

function title(link: WiringLink): string {
  return LINK_TITLES[link.name as LinkName] ?? link.name;
}

/** `api.example.com → shop-api-alb → shop-api-tg → api` (two names at most: the alias link lists them all). */
function route(chain: WiringChain, service: string): string {
  const names = chain.names.length > 2 ? `${chain.names.slice(0, 2).join(', ')} and ${chain.names.length - 2} more` : chain.names.join(', ');
  return [names, chain.loadBalancer, chain.targetGroup, service].filter(Boolean).join(' → ');
}

/** The marks in a row: `✓ alias → ✓ load balancer → ✗ forward → – target group`. */
function marks(chain: WiringChain): Markup {
  const items = chain.links.map((l) => {
    const w = linkWord(l.status);
    const first = l.name === chain.firstBroken;
    return html`<li><span class="t ${w.tone}${first ? ' first' : ''}"><span aria-hidden="true">${w.mark}</span> ${title(l)}<span class="sr">: ${w.label}${first ? ', first broken link' : ''}</span></span></li>`;
  });
  return html`<ol class="chain" aria-label="links from the name to the containers">${items}</ol>`;
}

function evidence(link: WiringLink): Markup {
  const entries = Object.entries(link.evidence);
  if (entries.length === 0) return html``;
  return html`<dl class="ev">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${evidenceText(v)}</dd>`)}</dl>`;
}

function linkItem(link: WiringLink, first: boolean): Markup {
  const w = linkWord(link.status);
  const why = link.status === 'ok' ? '' : link.message;
  return html`<li${first ? html` class="first"` : ''}>${badge(w, `${w.mark} ${w.label}`)} <strong>${title(link)}</strong> ${link.summary}${
    link.reason ? html` <code>${link.reason}</code>` : ''
  }${why ? html`<p>${why}</p>` : ''}${evidence(link)}</li>`;
}

/** The first broken link, said as what to fix. */
function fix(link: WiringLink): Markup {
  const w = linkWord(link.status);
  const what = link.status === 'unknown' ? 'Could not be read' : 'First broken link';
  return html`<div class="fix"><p><strong>${w.mark} ${what}: ${title(link)}</strong>${link.reason ? html` <code>${link.reason}</code>` : ''}</p><p>${
    link.message ?? link.summary
  }</p>${link.healable ? html`<p class="muted">steady repairs this itself on its next pass.</p>` : ''}</div>`;
}

/** One service's chain: route, marks, what to fix, and the evidence of every link. */
export function chainCard(status: StoredStatus): Markup {
  const chain = status.wiring!;
  const phase = phaseWord(status.phase);
  const first = chain.links.find((l) => l.name === chain.firstBroken);
  const id = anchorId('wiring', `${status.environment}/${status.name}`);
  return html`<article class="card ${phase.tone}" id="${id}" aria-labelledby="${id}-h"><h4 id="${id}-h">${badge(phase)} ${status.name} <span class="muted mono">${route(
    chain,
    status.name,
  )}</span></h4>${marks(chain)}${first ? fix(first) : ''}<details><summary>Evidence of all ${chain.links.length} links</summary><ol class="links">${chain.links.map((l) =>
    linkItem(l, l === first),
  )}</ol></details></article>`;
}

/** A healthy chain, its links and their evidence folded under its route. */
function healthyItem(status: StoredStatus): Markup {
  const chain = status.wiring!;
  return html`<li><details><summary>✓ ${status.name} <span class="muted mono">${route(chain, status.name)}</span></summary><ol class="links">${chain.links.map((l) =>
    linkItem(l, false),
  )}</ol></details></li>`;
}

/** A healthy chain in one line, when there are too many to carry their evidence: every link is connected. */
function healthyLine(status: StoredStatus): Markup {
  const chain = status.wiring!;
  return html`<li>✓ ${status.name} <span class="muted mono">${route(chain, status.name)}</span> <span class="muted">(${chain.links.length} links)</span></li>`;
}

/** Up to this many healthy chains carry their evidence; more are one line each. */
export const MAX_HEALTHY_DRAWN = 50;

/** A broken chain past the first {@link MAX_CHAIN_CARDS}: its first broken link and what to fix, in one item. */
function brokenItem(status: StoredStatus): Markup {
  const chain = status.wiring!;
  const first = chain.links.find((l) => l.name === chain.firstBroken)!;
  const w = linkWord(first.status);
  return html`<li>${badge(phaseWord(status.phase))} ${status.name}: ${w.mark} ${title(first)}${first.reason ? html` <code>${first.reason}</code>` : ''} ${first.message ?? first.summary}</li>`;
}

/**
 * Broken chains drawn in full, with every link's evidence; the rest are listed in one line each
 * (the page stays small when a load balancer takes a thousand services down with it).
 */
export const MAX_CHAIN_CARDS = 50;

/**
 * The wiring of an environment: services whose chain is broken or unread first, each in full;
 * then the connected ones, folded.
 */
export function wiringSection(statuses: StoredStatus[], envName: string): Markup {
  const wired = statuses.filter((s) => s.kind === 'Wiring' && s.wiring);
  if (wired.length === 0) return html``;
  const broken = wired.filter((s) => s.wiring!.firstBroken !== undefined).sort((a, b) => phaseWord(a.phase).rank - phaseWord(b.phase).rank || a.name.localeCompare(b.name));
  const healthy = wired.filter((s) => s.wiring!.firstBroken === undefined).sort((a, b) => a.name.localeCompare(b.name));
  const id = anchorId('chains', envName);
  return html`<section aria-labelledby="${id}"><h3 id="${id}">Wiring: from the name to the containers</h3><p class="meta">${broken.length} of ${wired.length} ${
    wired.length === 1 ? 'service has' : 'services have'
  } a broken or unread link.</p>${broken.slice(0, MAX_CHAIN_CARDS).map(chainCard)}${
    broken.length > MAX_CHAIN_CARDS
      ? html`<details class="card" open><summary>${broken.length - MAX_CHAIN_CARDS} more broken ${broken.length - MAX_CHAIN_CARDS === 1 ? 'chain' : 'chains'} (the evidence of each: <code>steady verify</code>)</summary><ul class="links">${broken
          .slice(MAX_CHAIN_CARDS)
          .map(brokenItem)}</ul></details>`
      : ''
  }${
    healthy.length
      ? html`<details class="card"><summary>${badge(linkWord('ok'), '✓')} ${healthy.length} ${healthy.length === 1 ? 'service' : 'services'} connected end to end</summary><ul class="links">${healthy.map(healthy.length > MAX_HEALTHY_DRAWN ? healthyLine : healthyItem)}</ul></details>`
      : ''
  }</section>`;
}
