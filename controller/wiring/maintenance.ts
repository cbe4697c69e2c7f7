/**
 * A site in maintenance is answering its maintenance page on purpose: when a Maintenance's rule
 * answers a fixed response on a listener in front of a service, for the service's names, the
 * service is Ready-in-maintenance (its probe, which gets the maintenance page, is not judged), or,
 * when the chain behind the page is broken, Degraded with that said. Pure.
 */
import type { Listener, ListenerRule } from '../model/aws.js';
import type { MaintenanceDoc } from '../spec/schema.js';
import type { WiringCondition, WiringLink } from './types.js';

/** The maintenance rule answering in front of a service. */
export interface InMaintenance {
  maintenance: string;
  rule: ListenerRule;
  /** `HTTPS:443 of shop-api-alb`. */
  listener: string;
}

/** `*.example.com` matches `api.example.com`; `?` one character; case-insensitive. */
function hostMatches(pattern: string, host: string): boolean {
  const re = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(host.toLowerCase());
}

/**
 * The Maintenance rule (at its spec's priority, a fixed response) of one of the chosen listeners of
 * `lbName` that answers for the service's names (or for every request), if there is one.
 */
export function maintenanceInFront(
  docs: MaintenanceDoc[],
  lbName: string | undefined,
  chosen: Listener[] | undefined,
  names: string[],
  rules: Record<string, ListenerRule[]>,
): InMaintenance | undefined {
  for (const doc of docs) {
    const lb = doc.spec.loadBalancer;
    if (!lb || lb.name !== lbName) continue;
    for (const l of chosen ?? []) {
      if (l.port !== lb.listener.port) continue;
      const rule = rules[l.arn]?.find((r) => r.priority === String(lb.priority) && r.actions.some((a) => a.type === 'fixed-response'));
      if (!rule) continue;
      const hosts = rule.conditions.filter((c) => c.field === 'host-header').flatMap((c) => c.values);
      if (hosts.length === 0 || names.length === 0 || names.some((n) => hosts.some((h) => hostMatches(h, n)))) {
        return { maintenance: doc.metadata.name, rule, listener: `${l.protocol}:${l.port} of ${lbName}` };
      }
    }
  }
  return undefined;
}

function answers(m: InMaintenance): string {
  const f = m.rule.actions.find((a) => a.fixedResponse)?.fixedResponse;
  return `${f?.statusCode ?? 'a fixed response'} from rule ${m.rule.priority} of ${m.listener}`;
}

/** The probe of a service in maintenance gets the maintenance page: it is not judged. */
export function probeInMaintenance(m: InMaintenance): WiringLink {
  return { name: 'probe', status: 'skipped', ok: false, summary: 'not checked: in maintenance', evidence: { maintenance: m.maintenance, rule: m.rule.arn }, reason: 'InMaintenance', message: `not checked: the service is in maintenance (Maintenance ${m.maintenance}), so the public answer is the maintenance page (${answers(m)})` };
}

/** The condition of a service in maintenance: Ready-in-maintenance, or Degraded behind the page. */
export function conditionInMaintenance(m: InMaintenance, first: WiringLink | undefined, from: string): WiringCondition {
  const page = `in maintenance (Maintenance ${m.maintenance}): ${from} answers the maintenance page, ${answers(m)}`;
  if (first) return { type: 'Degraded', reason: first.reason ?? 'Broken', message: `${page}; behind it: ${first.message ?? first.summary}` };
  return { type: 'Ready', reason: 'InMaintenance', message: `${page}; behind it every link is connected` };
}
