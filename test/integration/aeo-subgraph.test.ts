// The AEO subgraph on its own, over HTTP, against the real database engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aeoSubgraph } from '../../subgraphs/aeo/subgraph';
import type { AeoModels } from '../../subgraphs/aeo/models';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/kit/server';
import { caller, fromGateway, testTrust } from '../support/auth';
import { postGraphQL, testDatabase } from '../support/platform';

let aeo: RunningSubgraph<AeoModels>;
const gql = async (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) =>
  postGraphQL<Record<string, any>>(aeo.url, query, variables, headers ?? (await fromGateway()));

const REGISTER = `mutation Register($input: RegisterEconomicOperatorInput!) {
  registerEconomicOperator(input: $input) { eori name country address { city country } }
}`;
const GRANT = `mutation Grant($input: GrantAeoAuthorisationInput!) {
  grantAeoAuthorisation(input: $input) { number type status validFrom holder { eori } statusHistory { status date reason recordedBy } }
}`;
const change = (action: string) => `mutation Change($input: AeoStatusChangeInput!) {
  ${action}AeoAuthorisation(input: $input) { number status statusHistory { status date reason } }
}`;

const operator = {
  eori: 'DE123456789012345',
  name: 'Hanseatic Logistics GmbH',
  country: 'DE',
  address: { street: 'Am Sandtorkai 1', postcode: '20457', city: 'Hamburg', country: 'DE' },
};

beforeAll(async () => {
  aeo = await startSubgraph(aeoSubgraph, { port: 0, database: testDatabase('aeo'), trust: testTrust });
  await gql(REGISTER, { input: operator });
  await gql(GRANT, { input: { number: 'DEAEOF0000123456', holder: operator.eori, type: 'AEOF', validFrom: '2019-05-01' } });
});

afterAll(async () => {
  await aeo.database.connection.dropDatabase();
  await aeo.stop();
});

describe('the AEO subgraph', () => {
  it('answers /healthz and /readyz once its database is reachable', async () => {
    const base = new URL(aeo.url);
    expect((await fetch(new URL('/healthz', base))).status).toBe(200);
    const ready = await fetch(new URL('/readyz', base));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, subgraph: 'aeo' });
  });

  it('counts in /metrics the GraphQL requests it answered and the database commands they cost', async () => {
    const counter = async (name: string) => {
      const text = await (await fetch(new URL('/metrics', aeo.url))).text();
      return Number(new RegExp(`^${name}\\{service="aeo"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    };
    const [requests, commands] = [await counter('graphql_requests_total'), await counter('database_commands_total')];
    await gql(`{ economicOperator(eori: "DE123456789012345") { name } }`);
    expect(await counter('graphql_requests_total')).toBe(requests + 1);
    expect(await counter('database_commands_total')).toBeGreaterThan(commands);
  });

  it('returns a registered operator with its authorisations', async () => {
    const { data, errors } = await gql(`{ economicOperator(eori: "DE123456789012345") {
      eori name country aeoAuthorisations { number type status issuingCountry validFrom } } }`);
    expect(errors).toBeUndefined();
    expect(data?.economicOperator).toEqual({
      eori: 'DE123456789012345',
      name: 'Hanseatic Logistics GmbH',
      country: 'DE',
      aeoAuthorisations: [{ number: 'DEAEOF0000123456', type: 'AEOF', status: 'VALID', issuingCountry: 'DE', validFrom: '2019-05-01' }],
    });
  });

  it('returns null for a valid EORI nobody registered', async () => {
    const { data, errors } = await gql(`{ economicOperator(eori: "FR99999999999999") { eori } }`);
    expect(errors).toBeUndefined();
    expect(data?.economicOperator).toBeNull();
  });

  it('rejects an invalid EORI with BAD_USER_INPUT that says what is wrong', async () => {
    const { errors } = await gql(`{ economicOperator(eori: "de123") { eori } }`);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eori' });
    expect(errors?.[0]?.message).toMatch(/upper case/);
  });

  it('registers the same operator twice as one, and updates its details on a change', async () => {
    const again = await gql(REGISTER, { input: operator });
    expect(again.errors).toBeUndefined();
    expect(await aeo.models.operators.countDocuments({ _id: operator.eori })).toBe(1);

    const moved = await gql(REGISTER, { input: { ...operator, address: { ...operator.address, city: 'Bremen', postcode: '28195' } } });
    expect(moved.data?.registerEconomicOperator.address.city).toBe('Bremen');
    await gql(REGISTER, { input: operator });
  });

  it('rejects a registration with an invalid country and writes nothing', async () => {
    const { errors } = await gql(REGISTER, { input: { ...operator, eori: 'NL123456789', country: 'QQ' } });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'country' });
    expect(await aeo.models.operators.countDocuments({ _id: 'NL123456789' })).toBe(0);
  });

  it('refuses to grant an authorisation to an unknown EORI', async () => {
    const { errors } = await gql(GRANT, {
      input: { number: 'FRAEOC0000000001', holder: 'FR12345678900012', type: 'AEOC', validFrom: '2020-01-01' },
    });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'holder' });
    expect(errors?.[0]?.message).toMatch(/no economic operator is registered/);
    expect(await aeo.models.authorisations.countDocuments({ _id: 'FRAEOC0000000001' })).toBe(0);
  });

  it('refuses a type that contradicts the authorisation number', async () => {
    const { errors } = await gql(GRANT, { input: { number: 'DEAEOS0000000042', holder: operator.eori, type: 'AEOC', validFrom: '2020-01-01' } });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'type' });
  });

  it('grants the same authorisation twice as one, and calls a different grant of that number a CONFLICT', async () => {
    const input = { number: 'DEAEOF0000123456', holder: operator.eori, type: 'AEOF', validFrom: '2019-05-01' };
    const again = await gql(GRANT, { input });
    expect(again.errors).toBeUndefined();
    expect(again.data?.grantAeoAuthorisation.statusHistory).toHaveLength(1);

    const different = await gql(GRANT, { input: { ...input, validFrom: '2021-01-01' } });
    expect(different.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('records who changed a status, and suspending twice records one suspension', async () => {
    const input = { number: 'DEAEOF0000123456', reason: 'Self-assessment questionnaire overdue', date: '2024-03-01' };
    const first = await gql(change('suspend'), { input }, await fromGateway(caller('aeo-auditor', { memberState: 'DE' }, 'auditor-17')));
    expect(first.data?.suspendAeoAuthorisation.status).toBe('SUSPENDED');
    const second = await gql(change('suspend'), { input });
    expect(second.data?.suspendAeoAuthorisation.statusHistory).toHaveLength(2);

    const stored = await aeo.models.authorisations.findById('DEAEOF0000123456').lean();
    expect(stored?.history.at(-1)).toMatchObject({ status: 'SUSPENDED', recordedBy: 'auditor-17' });
  });

  it('keeps the type and status filters in step with status changes', async () => {
    const suspended = await gql(`{ economicOperators(filter: { aeoType: AEOF, aeoStatus: SUSPENDED }) { totalCount edges { node { eori } } } }`);
    expect(suspended.data?.economicOperators.edges).toEqual([{ node: { eori: operator.eori } }]);

    const reinstated = await gql(change('reinstate'), { input: { number: 'DEAEOF0000123456', reason: 'Remediation completed', date: '2024-06-01' } });
    expect(reinstated.data?.reinstateAeoAuthorisation.status).toBe('VALID');
    const valid = await gql(`{ economicOperators(filter: { aeoStatus: VALID }) { totalCount } }`);
    expect(valid.data?.economicOperators.totalCount).toBe(1);
  });

  it('rejects a status change dated before the last one', async () => {
    const { errors } = await gql(change('suspend'), { input: { number: 'DEAEOF0000123456', reason: 'Backdated', date: '2020-01-01' } });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'date' });
  });

  it('never reinstates a revoked authorisation', async () => {
    const revoked = await gql(change('revoke'), { input: { number: 'DEAEOF0000123456', reason: 'Serious infringement', date: '2025-01-10' } });
    expect(revoked.data?.revokeAeoAuthorisation.status).toBe('REVOKED');
    const { errors } = await gql(change('reinstate'), { input: { number: 'DEAEOF0000123456', reason: 'Appeal', date: '2025-02-01' } });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', status: 'REVOKED' });
    expect(errors?.[0]?.message).toBe('A revoked authorisation cannot be reinstated');
  });

  it('answers NOT_FOUND when changing an authorisation that does not exist', async () => {
    const { errors } = await gql(change('suspend'), { input: { number: 'DEAEOC9999999999', reason: 'Test' } });
    expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('resolves operator references from other subgraphs in one batch, unknown ones as null', async () => {
    const { data } = await gql(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on EconomicOperator { eori name } } }`,
      {
        representations: [
          { __typename: 'EconomicOperator', eori: operator.eori },
          { __typename: 'EconomicOperator', eori: 'CN9134567890' },
        ],
      },
    );
    expect(data?._entities).toEqual([{ eori: operator.eori, name: operator.name }, null]);
  });
});
