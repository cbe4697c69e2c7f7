import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { passOutcome } from '../model/outcome.js';
import { createAdapters, runPass } from '../pass.js';
import { buildReport, summaryLine } from '../report/index.js';
import type { SimFixture, SimOrganizationFixture } from '../sim/fixture.js';
import { SimOrganization } from '../sim/organization.js';
import { EXAMPLES_FIXTURE, exampleSpecs } from '../testing/world.js';
import { EnvironmentAccounts, sessionName, unreachablePass } from './accounts.js';

const TARGET = '210987654321';
/** The shop's example infrastructure and specs, moved to account TARGET (its own ECR registry, certificates, roles). */
const fixture = () => {
  const { accounts: _others, ...shop } = parse(readFileSync(EXAMPLES_FIXTURE, 'utf8').replaceAll('123456789012', TARGET)) as SimOrganizationFixture;
  return shop;
};
async function targetSpecs(environment: string, fields: Record<string, string>) {
  const desired = JSON.parse(JSON.stringify(await exampleSpecs(environment)).replaceAll('123456789012', TARGET));
  Object.assign(desired.environment.spec, { account: TARGET, ...fields });
  return desired as Awaited<ReturnType<typeof exampleSpecs>>;
}

/** An organisation whose account TARGET holds the example infrastructure in ap-northeast-1, and an EnvironmentAccounts on it. */
function organisation() {
  const org = new SimOrganization({ seed: 42 });
  org.account(TARGET, 'ap-northeast-1').seed(fixture());
  const accounts = new EnvironmentAccounts({ clock: org.clock, sts: org.stsClient(), clientsFor: (region, credentials) => org.clients({ region, ...(credentials ? { credentials } : {}) }) });
  return { org, accounts };
}

describe('sessionName', () => {
  it('turns a pass id into a role session name STS accepts', () => {
    expect(sessionName('shop-prod/2026-01-01T00:00:00.000Z/66debc')).toBe('shop-prod-2026-01-01T00-00-00.000Z-66debc');
    const long = sessionName(`${'a'.repeat(60)}/2026-01-01T00:00:00.000Z/66debc`);
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^a{32}-2026-01-01T00-00-00\.000Z-66debc$/);
    expect(long).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});

describe('EnvironmentAccounts', () => {
  it("reconciles an environment in another account through the role it names, changing only that account", async () => {
    const { org, accounts } = organisation();
    const roleArn = org.trustController(TARGET, 'steady-target', { externalId: 'shop-ext' });
    const desired = await targetSpecs('shop-prod', { roleArn, externalId: 'shop-ext' });

    const reach = await accounts.reach(desired.environment.spec, 'shop-prod/2026-01-01T00:00:00.000Z/abc123');
    if (!reach.ok) throw new Error(reach.unreadable.message);
    const { result } = await runPass({ desired, adapters: createAdapters(reach.clients), clock: org.clock, pollMs: 5_000 });

    expect(passOutcome(result).verdict).toMatch(/^(converged|converging)$/);
    const target = org.account(TARGET, 'ap-northeast-1');
    expect(target.mutatingCalls().map((c) => c.operation)).toContain('CreateService');
    expect(org.home.mutatingCalls()).toEqual([]);
    expect(org.stsCalls.map((c) => [c.operation, c.input.RoleSessionName, c.input.ExternalId])).toEqual([['AssumeRole', 'shop-prod-2026-01-01T00-00-00.000Z-abc123', 'shop-ext']]);
  });

  it('reuses the credentials until five minutes before they expire, then assumes the role again', async () => {
    const { org, accounts } = organisation();
    const roleArn = org.trustController(TARGET);
    const target = { region: 'ap-northeast-1', roleArn };

    await accounts.reach(target, 'p/1');
    org.clock.advance(54 * 60_000);
    await accounts.reach(target, 'p/2');
    const beforeRenewal = org.stsCalls.length;
    org.clock.advance(2 * 60_000);
    const reach = await accounts.reach(target, 'p/3');

    expect(beforeRenewal).toBe(1);
    expect(org.stsCalls.map((c) => c.input.RoleSessionName)).toEqual(['p-1', 'p-3']);
    // The clients made at first use sign with the renewed session: the old one has expired by then.
    org.clock.advance(10 * 60_000);
    if (!reach.ok) throw new Error('unreachable');
    await expect(createAdapters(reach.clients).ecs.describeCluster('shop-prod')).resolves.toMatchObject({ name: 'shop-prod', arn: `arn:aws:ecs:ap-northeast-1:${TARGET}:cluster/shop-prod` });
  });

  it('makes an environment whose role does not trust steady unreadable: every resource unknown, the cause said once, nothing called', async () => {
    const { org, accounts } = organisation();
    const roleArn = org.putRole(TARGET, 'steady-target', { principals: ['arn:aws:iam::999999999999:role/other'] });
    const desired = await targetSpecs('shop-prod', { roleArn });

    const reach = await accounts.reach(desired.environment.spec, 'shop-prod/t/1');
    if (reach.ok) throw new Error('expected the role to be refused');
    const result = unreachablePass(desired, reach.unreadable, { passId: 'shop-prod/t/1', now: org.clock.now() });
    const outcome = passOutcome(result);
    const report = buildReport(result);

    expect(outcome.verdict).toBe('unknown');
    expect(new Set(outcome.resources.map((r) => r.outcome))).toEqual(new Set(['unknown']));
    expect(outcome.resources.map((r) => r.resource)).toEqual(expect.arrayContaining(['Service/api', 'Migration/db-migrate', 'AliasRecord/api-dns']));
    expect(report.causes).toEqual([
      expect.objectContaining({
        kind: 'accessDenied',
        actions: ['sts:AssumeRole'],
        text: `access denied to sts:AssumeRole (assuming role ${roleArn} in account ${TARGET})`,
      }),
    ]);
    expect(summaryLine(report)).toBe(`AWS could not be read: access denied to sts:AssumeRole (assuming role ${roleArn} in account ${TARGET}). Nothing was changed.`);
    expect(org.accounts().flatMap((a) => a.calls)).toEqual([]);
    expect(result.plan?.actions).toEqual([]);
    // Each resource says the role could not be assumed (not that a cluster could not be read), naming the role and AWS's error.
    expect(new Set(result.resources.map((r) => `${r.phase} ${r.reason}: ${r.message}`))).toEqual(
      new Set([`Blocked ObserveFailed: role ${roleArn} could not be assumed (AccessDenied); nothing is changed this pass`]),
    );
  });

  it('never repeats the external id, even when AWS quotes it back in its error', async () => {
    const { org, accounts } = organisation();
    const roleArn = org.trustController(TARGET, 'steady-target', { externalId: 'shop-ext' });
    // Not a valid external id for STS (the spec's schema refuses it; here it reaches AWS, whose ValidationError quotes it).
    const desired = await targetSpecs('shop-prod', { roleArn, externalId: 'shop ext!' });

    const reach = await accounts.reach(desired.environment.spec, 'shop-prod/t/1');
    if (reach.ok) throw new Error('expected the role to be refused');
    const result = unreachablePass(desired, reach.unreadable, { passId: 'shop-prod/t/1', now: org.clock.now() });
    const report = buildReport(result);

    expect(org.stsCalls.map((c) => [c.input.ExternalId, c.error])).toEqual([['shop ext!', 'ValidationError']]);
    expect(reach.unreadable.message).toBe(
      "1 validation error detected: Value '[external id]' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*",
    );
    expect(new Set(result.resources.map((r) => r.message))).toEqual(new Set([`role ${roleArn} could not be assumed (ValidationError); nothing is changed this pass`]));
    const said = [summaryLine(report), JSON.stringify(report.causes), JSON.stringify(result.unreadable), JSON.stringify(result.resources)].join('\n');
    expect(said).toContain('[external id]');
    expect(said).not.toContain('shop ext!');
  });
});
