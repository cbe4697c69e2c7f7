/**
 * `steady demo` (what `npm start` runs): steady's main job on simulated AWS accounts, no AWS
 * account and no network needed. The examples fixture is an organisation: the shop in steady's own
 * account, messaging-prod in the messaging team's, reached as `steady reconcile` reaches it (through
 * its role), and each pass's summary block names every environment's account. A first pass builds
 * the example environments from specs/; then
 * the incidents steady exists for happen (an image pushed but never rolled out, an ALB recreated
 * under its DNS alias, a service scaled to zero by hand); the next pass heals them; the next finds
 * nothing to do. Last, the night comes: a ScheduledTask (the nightly migration) runs on the
 * simulated EventBridge Scheduler, fails, and the pass after it reports the failed run. Then a
 * maintenance window: `steady maintenance on` switches the shop's CloudFront distribution and its
 * api ALB to the maintenance page at once, `steady maintenance off` puts back exactly what was there.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { PassResult } from '../model/pass.js';
import { formatFireTime, nextFireTime, parseScheduleExpression } from '../model/schedule-expression.js';
import { scheduledFamily } from '../plan/scheduled.js';
import { unreachablePass } from '../aws/accounts.js';
import { newPassId } from '../pass.js';
import { reconcileEnvironment, type ReconcileOptions } from '../reconcile.js';
import { buildReport, renderReport } from '../report/index.js';
import type { SimAccount } from '../sim/account.js';
import type { EnvironmentSpecs } from '../spec/load.js';
import type { StateStore } from '../state/store.js';
import { loadSiteData, writeStatusSite } from '../status-page/index.js';
import { startLocalTable } from './local-table.js';
import type { CliContext } from './context.js';
import { cliHolder, loadEnvironments, printLoadFailure, resolveTarget, type Target } from './engine.js';
import { createOutput, type Output } from './output.js';
import { exitCode, passOutcome } from '../model/outcome.js';
import { describeRule, maintenanceRule, utcMinute } from '../model/maintenance.js';
import { headline, prepareFor, statesOf } from './maintenance.js';
import { passSummaryRow, printSummary, type SummaryRow } from './summary.js';

export const DEMO_FIXTURE = fileURLToPath(new URL('../sim/fixtures/examples.yaml', import.meta.url));

interface DemoOptions {
  /** Default: {@link DEMO_FIXTURE}. */
  sim?: string;
  html: string;
}

/** An incident the demo causes, if the environment has what it needs. */
interface Incident {
  says: string;
  happen(account: SimAccount): Promise<void> | void;
}

function incidents(account: SimAccount, services: Set<string>): Incident[] {
  const list: Incident[] = [];
  if (account.ecr.images('shop-api').length > 0) {
    list.push({ says: 'CI pushed a new image to shop-api:latest, and nobody registered a new task definition', happen: (a) => void a.ecr.push('shop-api', 'latest') });
  }
  if (account.elbv2.findByName('shop-api-alb')) {
    list.push({ says: 'the ALB shop-api-alb was deleted and created again: it has a new DNS name', happen: (a) => void a.elbv2.recreateLoadBalancer('shop-api-alb') });
  }
  if (services.has('shop-prod/api')) {
    list.push({
      says: 'someone scaled the service api to 0 by hand',
      happen: async (a) => void (await a.clients().ecs.send(new UpdateServiceCommand({ cluster: 'shop-prod', service: 'api', desiredCount: 0 }))),
    });
  }
  return list;
}

/** The first scheduled task of the environments, its family and when it next fires, if there is one. */
function nightlyRun(envs: Parameters<typeof reconcileEnvironment>[0][], now: number): { name: string; family: string; at: number; when: string } | undefined {
  for (const env of envs) {
    for (const t of env.scheduledTasks) {
      const expression = parseScheduleExpression(t.spec.schedule);
      if ('error' in expression || !t.spec.enabled) continue;
      const at = nextFireTime(expression, { timezone: t.spec.timezone, anchor: now }, now);
      if (at !== undefined) return { name: t.metadata.name, family: scheduledFamily(t, env.services), at, when: formatFireTime(at, t.spec.timezone) };
    }
  }
  return undefined;
}

/**
 * Where an environment lives, as the demo's summary block says it: `account 210987654321 (role
 * steady-target)` for one reached through its role, `account 123456789012 (steady's own)` otherwise.
 */
export function whereItLives(env: EnvironmentSpecs, home: string): string {
  const { account, roleArn } = env.environment.spec;
  if (!roleArn) return `account ${account ?? home} (steady's own)`;
  return `account ${account ?? roleArn.split(':')[4]} (role ${roleArn.split('/').pop()})`;
}

/** One pass of each environment, reached as `steady reconcile` reaches it (through its role, when it names one): the summary block, then the reports. */
async function passes(label: string, target: Target, envs: EnvironmentSpecs[], out: Output, store?: StateStore): Promise<PassResult[]> {
  out.line(out.color.bold(label));
  out.line();
  const results: PassResult[] = [];
  const reports: string[] = [];
  const rows: SummaryRow[] = [];
  for (const env of envs) {
    const result = await onePass(target, env, { store });
    results.push(result);
    const report = buildReport(result);
    rows.push({ ...passSummaryRow(report), account: whereItLives(env, target.account!.accountId) });
    reports.push(renderReport(report, { color: out.color.isColorSupported, width: out.width }));
  }
  printSummary(out, rows);
  for (const report of reports) out.line(report);
  return results;
}

/** One environment's pass through `target.reach`; an environment whose role cannot be assumed gets the pass that says so. */
async function onePass(target: Target, env: EnvironmentSpecs, options: Pick<ReconcileOptions, 'store' | 'prepare'>): Promise<PassResult> {
  const passId = newPassId(env.name, target.clock.now());
  const reached = await target.reach(env.environment.spec, passId);
  if (!reached.ok) return unreachablePass(env, reached.unreadable, { passId, now: target.clock.now() });
  const { adapters, calls } = reached.regional;
  const { result } = await reconcileEnvironment(env, { passId, adapters, calls, clock: target.clock, holder: cliHolder(), ...options });
  return result;
}

/** `steady demo [PATH...]` (its definition is commands/demo.ts). */
export async function demo(ctx: CliContext, paths: string[], options: DemoOptions): Promise<number> {
  const out = createOutput(ctx.io, 'text');
  const loaded = await loadEnvironments(ctx, paths);
  if (!loaded.ok) return printLoadFailure(out, loaded, 'demo', {});
  const target = await resolveTarget({ sim: options.sim ?? DEMO_FIXTURE });
  const account = target.account!;
  for (const env of loaded.environments) {
    const refused = target.refusal(env.environment.spec);
    if (refused) ctx.usageError(`${env.name}: ${refused}; nothing was done`);
  }
  const table = await startLocalTable(target.clock);
  try {
    const store = 'store' in table ? table.store : undefined;
    return await story({ paths, options, out, target, account, envs: loaded.environments, store, noTable: 'unavailable' in table ? table.unavailable : undefined });
  } finally {
    if ('close' in table) await table.close();
  }
}

/**
 * Which environments live where, one line per account: steady's own first, then each account an
 * environment is reached in through its role.
 */
function accountLines(envs: EnvironmentSpecs[], home: string): string[] {
  const byAccount = new Map<string, { role?: string; externalId?: string; names: string[] }>();
  for (const env of envs) {
    const { account, roleArn, externalId } = env.environment.spec;
    const id = account ?? roleArn?.split(':')[4] ?? home;
    const entry = byAccount.get(id) ?? { role: roleArn, externalId, names: [] };
    entry.names.push(env.name);
    byAccount.set(id, entry);
  }
  if (byAccount.size < 2) return [];
  const ids = [...byAccount.keys()].sort((a, b) => Number(b === home) - Number(a === home));
  return ids.map((id) => {
    const { role, externalId, names } = byAccount.get(id)!;
    const how = `STS AssumeRole${externalId ? ', with its external id' : ''}`;
    const where = id === home || !role ? `steady's own account ${id}` : `account ${id}, reached through the role ${role} (${how})`;
    return `  ${names.join(', ')} ${names.length === 1 ? 'lives' : 'live'} in ${where}.`;
  });
}

interface Stage {
  paths: string[];
  options: DemoOptions;
  out: Output;
  target: Target;
  account: SimAccount;
  envs: EnvironmentSpecs[];
  /** The demo's own state table, when dynalite is installed; `noTable` says why not otherwise. */
  store?: StateStore;
  noTable?: string;
}

async function story({ paths, options, out, target, account, envs, store, noTable }: Stage): Promise<number> {
  out.line(out.color.bold('steady demo'));
  out.line(`The specs in ${paths.join(', ')} against ${target.describe}: no AWS account, no network.`);
  for (const line of accountLines(envs, account.accountId)) out.line(line);
  out.line('Time is simulated: waits for migrations, rollouts and DNS changes take no real time.');
  out.line();

  const first = await passes('1. The first pass creates what the specs describe', target, envs, out, store);
  account.clock.advance(10 * 60_000);

  const services = new Set(envs.flatMap((e) => e.services.map((s) => `${e.environment.spec.cluster}/${s.spec.serviceName ?? s.metadata.name}`)));
  const happened = incidents(account, services);
  out.line(out.color.bold('2. Ten minutes later, things go wrong'));
  out.line();
  for (const incident of happened) {
    await incident.happen(account);
    out.line(`  ${out.color.yellow('!')} ${incident.says}`);
  }
  out.line();
  const healed = await passes('3. The next pass notices and heals', target, envs, out, store);
  account.clock.advance(10 * 60_000);
  const quiet = await passes('4. And once ECS has rolled out, there is nothing left to do', target, envs, out, store);
  const night = nightlyRun(envs, account.clock.now());
  if (night) {
    // The job's code has a bug: its container exits 1. Scheduler starts it on time all the same.
    account.ecs.setTaskOutcome({ family: night.family }, { exitCode: 1, runMs: 45_000 });
    account.clock.advanceTo(night.at + 5 * 60_000);
    out.line(out.color.bold(`5. At ${night.when}, EventBridge Scheduler runs ${night.name}, and it fails`));
    out.line();
    out.line(`  ${out.color.yellow('!')} the task ${night.family} started on schedule and exited with code 1`);
    out.line();
    await passes('   The next pass reports the failed run (once; a later good run reports it healed)', target, envs, out, store);
  }
  const windowOk = await maintenanceWindow({ target, account, envs, out, store, noTable });
  if (store) {
    const file = await writeStatusSite(options.html, await loadSiteData(store, { now: account.clock.now() }));
    out.line(`The status page of these passes (environments, wiring, drift and time to heal): ${out.color.cyan(pathToFileURL(file).href)}`);
  } else {
    out.line(`No status page: ${noTable}.`);
  }
  out.line(
    `Try it yourself: ${out.color.cyan('npx steady plan specs/ --sim ' + DEMO_FIXTURE.replace(process.cwd() + '/', ''))}, ` +
      `edit a spec, and plan again.`,
  );
  const code = exitCode('reconcile', [...first, ...healed, ...quiet].map((r) => passOutcome(r).verdict));
  return code === 0 && !windowOk ? 1 : code;
}

/**
 * The maintenance window: on by command for two hours (the window written to the demo's state
 * table, both entry points switched by the pass that follows at once), then off, and the proof that
 * everything is back as it was. Needs the state table (the window lives there). False when a switch
 * did not happen or something was not put back.
 */
async function maintenanceWindow({ target, account, envs, out, store, noTable }: Omit<Stage, 'paths' | 'options'>): Promise<boolean> {
  const env = envs.find((e) => (e.maintenance?.length ?? 0) > 0);
  if (!env) return true;
  const m = env.maintenance![0];
  const name = m.metadata.name;
  const distribution = m.spec.cloudFront?.distribution;
  const step = `6. A database upgrade: the team puts ${env.name} in maintenance for two hours`;
  if (!store) {
    out.line(out.color.bold(step));
    out.line(`   Skipped: the maintenance window lives in the state table, and there is none (${noTable}).`);
    out.line();
    return true;
  }
  const before = distribution ? JSON.stringify(account.cloudfront.config(distribution)) : undefined;
  const run = async (switched: 'on' | 'off', override?: Parameters<typeof prepareFor>[3]) => {
    const result = await onePass(target, env, { store, prepare: prepareFor(env.name, [name], switched, override) });
    headline(out, env.name, switched, statesOf(result, [name]));
    out.line(renderReport(buildReport(result), { color: out.color.isColorSupported, width: out.width }));
    const [state] = statesOf(result, [name]);
    return state.phase !== 'Failed' && state.phase !== 'Blocked' && state.maintenance?.state === switched;
  };
  const now = target.clock.now();
  out.line(out.color.bold(step));
  out.line();
  out.line(`  $ steady maintenance on --env ${env.name} --for 2h --reason "DB upgrade" --by ana`);
  out.line();
  const on = await run('on', { by: 'ana', reason: 'DB upgrade', at: now, until: now + 2 * 3_600_000 });
  const lb = m.spec.loadBalancer;
  if (distribution) {
    const origin = account.cloudfront.config(distribution)?.DefaultCacheBehavior?.TargetOriginId;
    out.line(`  CloudFront ${distribution} now serves every path from ${origin}; errors get ${m.spec.cloudFront?.errorResponse?.pagePath ?? 'its own pages'}.`);
  }
  if (lb) out.line(`  ${lb.name} answers ${describeRule(maintenanceRule(m))} before any request reaches the containers.`);
  out.line(`  The window ends by itself at ${utcMinute(now + 2 * 3_600_000)}; the upgrade is done sooner.`);
  out.line();
  account.clock.advance(40 * 60_000);
  out.line(`  $ steady maintenance off --env ${env.name}`);
  out.line();
  const off = await run('off');
  const same = distribution ? JSON.stringify(account.cloudfront.config(distribution)) === before : true;
  const listener = lb ? account.elbv2.listenerArnOf(lb.name, lb.listener.port) : undefined;
  const reached = await target.reach(env.environment.spec, newPassId(env.name, target.clock.now()));
  // Read back as steady reads it; an environment that cannot be reached cannot show that the rule is gone.
  const leftRule = listener ? !reached.ok || (await reached.regional.adapters.elbv2.rules(listener)).some((r) => r.priority === String(lb!.priority)) : false;
  const back = [
    distribution ? `the configuration of ${distribution} is ${same ? 'byte for byte what it was' : 'NOT what it was'}` : '',
    lb ? `${lb.name} ${leftRule ? 'STILL has a rule at priority ' + lb.priority : 'has no maintenance rule left and forwards to the containers again'}` : '',
  ].filter(Boolean);
  out.line(`  ${same && !leftRule ? 'Everything is back as before' : 'Not everything is back'}: ${back.join(', and ')}.`);
  out.line();
  return on && off && same && !leftRule;
}
