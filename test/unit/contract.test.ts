// The contract operations must keep working. Until the subgraph that owns a field exists,
// the field is listed here; the list may only shrink, and must shrink as soon as it can.
import { describe, expect, it } from 'vitest';
import { apiSchema, contractOperationNames, contractOperation, missingFields } from '../support/contract';

const PENDING: Record<string, string[]> = {
  ConsignmentScreen: [],
  ControlQueue: ['Query.controlQueue'],
  DeclarationCheck: [],
  DeclarationRisk: ['Declaration.riskAssessment'],
  Trader360: [],
};

describe('the contract operations', () => {
  const schema = apiSchema();

  it('are all in the project, copied from the shared contract', () => {
    expect(contractOperationNames()).toEqual(Object.keys(PENDING).sort());
  });

  it.each(contractOperationNames())('%s selects only fields the API schema has, apart from those still pending', (name) => {
    expect(missingFields(contractOperation(name), schema)).toEqual(PENDING[name]);
  });
});
