// The contract operations must keep working unchanged: every field they select must exist in
// the composed API schema. The integration tests run them against real data.
import { describe, expect, it } from 'vitest';
import { apiSchema, contractOperationNames, contractOperation, missingFields } from '../support/contract';

const CONTRACT = ['ConsignmentScreen', 'ControlQueue', 'DeclarationCheck', 'DeclarationRisk', 'Trader360'];

describe('the contract operations', () => {
  const schema = apiSchema();

  it('are all in the project, copied from the shared contract', () => {
    expect(contractOperationNames()).toEqual(CONTRACT);
  });

  it.each(CONTRACT)('%s selects only fields the API schema has', (name) => {
    expect(missingFields(contractOperation(name), schema)).toEqual([]);
  });
});
