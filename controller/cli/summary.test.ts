import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { skippedResult } from '../reconcile.js';
import { buildReport } from '../report/index.js';
import { passSummaryRow, summaryLines } from './summary.js';

const plain = pc.createColors(false);
const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('the summary block', () => {
  it('says why a pass that did not run or could not run did nothing, instead of counting nothing', () => {
    const skipped = passSummaryRow(buildReport(skippedResult('shop-prod', NOW, 'skipped', 'stopped with Ctrl-C before this environment was reached')));
    const failed = passSummaryRow(buildReport(skippedResult('messaging-prod', NOW, 'failed', 'the specs could not be rendered')));

    expect(summaryLines([failed, skipped], plain)).toEqual([
      'messaging-prod  failed   the specs could not be rendered',
      'shop-prod       skipped  stopped with Ctrl-C before this environment was reached',
    ]);
  });

  it('names where each environment lives in a column after the name, when the caller says it', () => {
    const messaging = { ...passSummaryRow(buildReport(skippedResult('messaging-prod', NOW, 'failed', 'the specs could not be rendered'))), account: 'account 210987654321 (role steady-target)' };
    const shop = { ...passSummaryRow(buildReport(skippedResult('shop-prod', NOW, 'skipped', 'lease held'))), account: "account 123456789012 (steady's own)" };

    expect(summaryLines([messaging, shop], plain)).toEqual([
      'messaging-prod  account 210987654321 (role steady-target)  failed   the specs could not be rendered',
      "shop-prod       account 123456789012 (steady's own)        skipped  lease held",
    ]);
  });

  it('is left out for one environment: its report\'s first line is its summary already', () => {
    const one = passSummaryRow(buildReport(skippedResult('shop-prod', NOW, 'skipped', 'lease held')));

    expect(summaryLines([one], plain)).toEqual([]);
  });
});
