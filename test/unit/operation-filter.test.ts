// The gateway's rewrite of an operation to what one caller may see, on a small schema of its own:
// which fields go, where their errors and nulls sit, and what becomes of non-null fields,
// fragments and variables.
import { buildSchema, parse, print, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { withNulls } from '../../gateway/authorization';
import { filterOperation } from '../../gateway/operation-filter';
import { collectRequirements, isMet } from '../../subgraphs/kit/auth/requirements';
import { holdsPolicy } from '../../subgraphs/kit/auth/policies';
import { caller } from '../support/auth';

const SDL = `
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  type Query {
    operator(eori: ID!): Operator @requiresScopes(scopes: [["operators:read"], ["recognition:read"]])
    rules(first: Int): [Rule!]!
    assessments: [Assessment!]!
    programme: String @requiresScopes(scopes: [["recognition:read"]])
  }
  type Operator {
    eori: ID!
    name: String @requiresScopes(scopes: [["operators:read"]])
    legalForm: String! @requiresScopes(scopes: [["operators:read"]])
    recognitions: [String!]
  }
  type Rule @requiresScopes(scopes: [["rules:read"]]) { reference: ID! }
  type Assessment @requiresScopes(scopes: [["assessments:read"]]) {
    lane: String!
    reasons: [String!] @requiresScopes(scopes: [["risk-details:read"]])
    operator: Operator
  }
  type Mutation { registerLane(code: ID!): ID! @requiresScopes(scopes: [["lanes:write"]]) @policy(policies: [["eu-wide"]]) }
`;
const schema = buildSchema(SDL);
const requirements = collectRequirements(parse(SDL).definitions);
const OFFICER = caller('customs-officer', { memberState: 'NL' });
const PARTNER = caller('mra-partner', { programme: 'US-CTPAT' });

function filter(query: string, who = OFFICER) {
  const document = parse(query);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition')!;
  return filterOperation(schema, document, operation, requirements, who);
}

describe('rewriting an operation for one caller', () => {
  it('leaves an operation the caller may see whole untouched', () => {
    expect(filter('{ assessments { lane operator { name } } }').kind).toBe('unchanged');
  });

  it('removes a nullable field the caller may not see, and nulls it in every element of its list', () => {
    const filtered = filter('{ assessments { lane why: reasons } }');
    expect(filtered.kind).toBe('rewritten');
    if (filtered.kind !== 'rewritten') return;
    expect(print(filtered.document)).not.toContain('reasons');
    expect(filtered.removals.map(({ path, coordinate }) => ({ path, coordinate }))).toEqual([
      { path: ['assessments', '@', 'why'], coordinate: 'Assessment.reasons' },
    ]);
    const data = withNulls({ assessments: [{ lane: 'RED' }, { lane: 'GREEN' }] }, filtered.nulls);
    expect(data).toEqual({
      assessments: [
        { lane: 'RED', why: null },
        { lane: 'GREEN', why: null },
      ],
    });
  });

  it('takes the nearest nullable ancestor with a removed field that cannot be null', () => {
    const filtered = filter('{ operator(eori: "NL1") { eori legalForm recognitions } programme }', PARTNER);
    expect(filtered.kind).toBe('rewritten');
    if (filtered.kind !== 'rewritten') return;
    expect(filtered.removals[0]?.path).toEqual(['operator', 'legalForm']);
    expect(filtered.nulls).toEqual([['operator']]);
    expect(print(filtered.document)).not.toContain('operator');
  });

  it('leaves nothing to execute when a removed field cannot be null up to the root', () => {
    const filtered = filter('{ rules { reference } assessments { lane } }');
    expect(filtered).toMatchObject({ kind: 'nothing-left', removals: [{ path: ['rules'], coordinate: 'Query.rules' }] });
  });

  it('removes fields of a named fragment at the path of each spread', () => {
    const filtered = filter(
      '{ assessments { ...Risk operator { ...Who } } } fragment Risk on Assessment { lane reasons } fragment Who on Operator { eori name }',
      PARTNER,
    );
    expect(filtered.kind).toBe('nothing-left');
    const officer = filter('query Q { a: assessments { ...Risk } b: assessments { ...Risk } } fragment Risk on Assessment { lane reasons }');
    expect(officer.kind === 'rewritten' && officer.removals.map((removal) => removal.path)).toEqual([
      ['a', '@', 'reasons'],
      ['b', '@', 'reasons'],
    ]);
  });

  it('drops the definitions of variables only removed fields used, so the rewritten operation validates', () => {
    const filtered = filter('query ($eori: ID!, $first: Int) { operator(eori: $eori) { eori } rules(first: $first) { reference } }', PARTNER);
    expect(filtered.kind).toBe('nothing-left');
    const partial = filter('query ($eori: ID!, $skip: Boolean!) { operator(eori: $eori) { eori name @skip(if: $skip) recognitions } }', PARTNER);
    expect(partial.kind).toBe('rewritten');
    if (partial.kind !== 'rewritten') return;
    expect(partial.operation.variableDefinitions?.map((definition) => definition.variable.name.value)).toEqual(['eori']);
    expect(validate(schema, partial.document)).toEqual([]);
  });
});

describe('scopes and policies', () => {
  it('holds the eu-wide policy for the service and a commission analyst, not for a caller of one Member State', () => {
    expect(holdsPolicy(caller('service'), 'eu-wide')).toBe(true);
    expect(holdsPolicy(caller('commission-analyst'), 'eu-wide')).toBe(true);
    expect(holdsPolicy(caller('commission-analyst', { memberState: 'NL' }), 'eu-wide')).toBe(false);
    expect(holdsPolicy(caller('mra-partner', { programme: 'US-CTPAT' }), 'eu-wide')).toBe(false);
    expect(holdsPolicy(caller('service'), 'no-such-policy')).toBe(false);
  });

  it('needs every part of a requirement: a scope and a policy for a trade lane', () => {
    const lane = requirements.fields.get('Mutation.registerLane');
    expect(isMet(lane, caller('commission-analyst'))).toBe(true);
    expect(isMet(lane, caller('commission-analyst', { memberState: 'NL' }))).toBe(false);
    expect(isMet(lane, caller('service'))).toBe(false);
  });

  it('refuses a schema that names a scope the platform does not have', () => {
    expect(() => collectRequirements(parse('type Query { a: Int @requiresScopes(scopes: [["operator:read"]]) }').definitions)).toThrow(/operator:read/);
  });
});
