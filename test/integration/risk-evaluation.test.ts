// `npm run risk:evaluate` end to end on a few hundred rows: ingest, learn through the graph,
// screen the unlabelled holdout, then score the ranking against the labels.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readKcsCsv } from '../../demo/kcs';
import { evaluate, formatReport, INSPECTION_RATES } from '../../scripts/risk-evaluate';
import { requiredCertificates } from '../../subgraphs/licences/references';

const dir = mkdtempSync(join(tmpdir(), 'risk-evaluation-test-'));
const head = (file: string, rows: number, into: string) => {
  const path = join(dir, into);
  writeFileSync(
    path,
    `${readFileSync(file, 'utf8')
      .split('\n')
      .slice(0, rows + 1)
      .join('\n')}\n`,
  );
  return path;
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('risk evaluation', () => {
  it('learns from the history, screens the holdout without its labels, and ranks it better than chance', async () => {
    const history = head('data/kcs-synthetic/train.csv', 400, 'history.csv');
    const holdout = head('data/kcs-synthetic/valid.csv', 200, 'holdout.csv');
    const report = await evaluate({ history: [history], holdout, uri: inject('mongoUri') });

    expect(report).toMatchObject({ historyRows: 400, holdoutRows: 200, modelVersion: 1 });
    // Rows with origin ZZ are rejected at ingest, so they cannot be scored.
    const zz = readFileSync(holdout, 'utf8')
      .split('\n')
      .filter((line) => line.split(',')[14] === 'ZZ').length;
    expect(report.scored).toBe(200 - zz);
    expect(report.rows.map((row) => row.rate)).toEqual([...INSPECTION_RATES]);
    expect(report.rows.map((row) => row.inspected)).toEqual(INSPECTION_RATES.map((rate) => Math.ceil(rate * report.scored)));
    for (const row of report.rows) {
      expect(row.precision).toBeGreaterThanOrEqual(0);
      expect(row.precision).toBeLessThanOrEqual(1);
    }
    // Deterministic data and learning: the ranking beats picking at random.
    expect(report.auc).toBeGreaterThan(0.55);
    expect(report.rows.at(-1)!.precision).toBeGreaterThan(report.positiveRate);
    expect(report.phases.map((phase) => phase.name)).toEqual([
      'start the platform',
      'ingest history',
      'learn through the graph',
      'ingest holdout without labels',
      'screen through the graph',
      'read assessments through the graph',
    ]);
    // The licences the declarations quote are there, as the demo's are: without them every
    // declaration needing a certificate would be raised by LICENCE_NOT_MATCHED.
    const needingCertificates = readKcsCsv(holdout).filter((row) => requiredCertificates(`${row.hs6}00`).length > 0).length;
    expect(needingCertificates).toBeGreaterThan(0);
    expect(report.licenceNotMatched).toBeLessThan(needingCertificates);
    const lanes = Object.values(report.lanes).reduce((sum, share) => sum + share, 0);
    expect(lanes).toBeCloseTo(1, 6);
    expect(formatReport(report)).toMatch(/\| 5\.0% \| \d+ \| \d\.\d{3} \| \d\.\d{3} \|/);
  }, 180_000);
});
