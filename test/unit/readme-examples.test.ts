// The README's ingest examples are real records: each must pass validation as written.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ControlResultRecord, DeclarationRecord, EntrySummaryRecord } from '../../subgraphs/declarations/records';
import { validateControlResult, validateDeclaration, validateEntrySummary } from '../../subgraphs/declarations/validate';
import type { LicenceRecord } from '../../subgraphs/licences/records';
import { validateLicence } from '../../subgraphs/licences/writes';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const examples = readme
  .split('\n')
  .filter((line) => line.startsWith('{"kind":'))
  .map((line) => JSON.parse(line) as { kind: string });

describe('the README ingest examples', () => {
  it('show one record of each kind', () => {
    expect(examples.map((example) => example.kind).sort()).toEqual(['controlResult', 'declaration', 'entrySummaryDeclaration', 'licence', 'licenceUsage']);
  });

  it('are valid records', () => {
    const declaration = validateDeclaration(examples.find((e) => e.kind === 'declaration') as DeclarationRecord);
    expect(() => validateEntrySummary(examples.find((e) => e.kind === 'entrySummaryDeclaration') as EntrySummaryRecord)).not.toThrow();
    const control = examples.find((e) => e.kind === 'controlResult') as ControlResultRecord;
    expect(() => validateControlResult(control, { partyIndex: declaration.partyIndex, itemNumbers: [1] })).not.toThrow();
    expect(() => validateLicence(examples.find((e) => e.kind === 'licence') as LicenceRecord)).not.toThrow();
  });
});
