// Every role tries what it may not, on Dutch and German data side by side: reading a row of
// another scope through the gateway and straight at the subgraph that owns it, and writing rows
// it may not change. Nothing may come back, and nothing may be written. Prints the table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../subgraphs/kit/auth/roles';
import { caller, signedIn } from '../support/auth';
import { controlResult, declaration, mrn } from '../support/fixtures';
import { postToSubgraph, startPlatform, type GraphQLResponse, type Platform } from '../support/platform';
import { securityTable, type Attempt } from '../support/security-table';

let platform: Platform;
/** A refusal that names what was missing, or an answer as for a row that does not exist. */
const REFUSED_OR_ABSENT = ['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'as if absent'];
const table = securityTable('Rows and writes out of each role’s scope');

const NL = { mrn: mrn(1), authorisation: 'NLAEOF0000000001', licence: 'NL-DU-2025-000001', office: 'NL000396' };
const DE = { mrn: mrn(2, { country: 'DE' }), authorisation: 'DEAEOF0000000001', licence: 'DE-DU-2025-000002', office: 'DE004000' };

/** Each role, and the data it must not reach: the other Member State's, or any, for roles that read none. */
const ROLES: { who: Caller; foreign: typeof NL; reads: boolean; writesRules: boolean }[] = [
  { who: caller('customs-officer', { memberState: 'NL' }, 'officer-nl'), foreign: DE, reads: true, writesRules: false },
  { who: caller('customs-officer', { memberState: 'DE' }, 'officer-de'), foreign: NL, reads: true, writesRules: false },
  { who: caller('risk-analyst', { memberState: 'NL' }, 'analyst-nl'), foreign: DE, reads: true, writesRules: true },
  { who: caller('aeo-auditor', { memberState: 'NL' }, 'auditor-nl'), foreign: DE, reads: true, writesRules: false },
  { who: caller('licensing-authority', { memberState: 'NL', licenceType: 'CHED' }, 'ched-nl'), foreign: NL, reads: true, writesRules: false },
  { who: caller('mra-partner', { programme: 'US-CTPAT' }, 'partner-us'), foreign: NL, reads: true, writesRules: false },
  { who: caller('data-protection-officer', {}, 'dpo'), foreign: NL, reads: true, writesRules: false },
  // Reads everything by right: only its writes are tried.
  { who: caller('commission-analyst', {}, 'commission'), foreign: NL, reads: false, writesRules: true },
];

beforeAll(async () => {
  platform = await startPlatform();
  const written = await platform.declarations.models.writer.write([
    declaration(1),
    declaration(2, { mrn: DE.mrn, officeOfPresentation: DE.office, importer: { eori: 'DE100000000001' }, declarant: { eori: 'DE800000000001' } }),
    controlResult(1),
    controlResult(2, { mrn: DE.mrn, office: DE.office }),
  ]);
  expect(written.filter(({ status }) => status === 'rejected')).toEqual([]);
  for (const [eori, number] of [
    ['NL100000001', NL.authorisation],
    ['DE100000000001', DE.authorisation],
  ] as const) {
    await platform.aeo.models.operators.create({ _id: eori, name: `Operator ${eori}`, country: eori.slice(0, 2) });
    await platform.aeo.models.authorisations.create({
      _id: number,
      holder: eori,
      type: 'AEOF',
      status: 'VALID',
      issuingCountry: eori.slice(0, 2),
      validFrom: '2024-01-01',
      history: [{ status: 'VALID', date: '2024-01-01', reason: 'Authorisation granted' }],
    });
  }
  for (const [reference, country, holder] of [
    [NL.licence, 'NL', 'NL100000001'],
    [DE.licence, 'DE', 'DE100000000001'],
  ] as const) {
    const issued = await platform.query(`mutation ($input: IssueLicenceInput!) { issueLicence(input: $input) { reference } }`, {
      input: {
        reference,
        type: 'DUAL_USE',
        issuingCountry: country,
        holder,
        issuingAuthority: 'Authority',
        validFrom: '2025-01-01',
        validUntil: '2027-12-31',
        goods: [{ commodityCode: '8471', quantity: 5, unit: 'NAR' }],
      },
    });
    expect(issued.errors).toBeUndefined();
  }
}, 120_000);

afterAll(async () => {
  table.print();
  await platform.stop();
});

async function state() {
  const { declarations, aeo, licences, risk } = platform;
  return JSON.stringify([
    await declarations.models.controlResults.countDocuments({}),
    (await aeo.models.authorisations.find({}, { status: 1, history: 1 }).sort({ _id: 1 }).lean()).map(({ status, history }) => [status, history.length]),
    (await licences.models.licences.find({}, { status: 1 }).sort({ _id: 1 }).lean()).map(({ status }) => status),
    await risk.models.rules.countDocuments({}),
  ]);
}

/** One attempt: what came back, whether any of it is the row tried for, and whether anything changed. */
async function attempt(
  request: string,
  send: () => Promise<GraphQLResponse<Record<string, any>>>,
  leakedIn: (data: Record<string, any>) => boolean,
): Promise<Attempt> {
  const before = await state();
  const { data, errors } = await send();
  const leaked = data ? leakedIn(data) : false;
  const wrote = (await state()) !== before;
  const answered = errors?.[0]?.extensions?.code ? String(errors[0].extensions.code) : leaked ? 'ANSWERED' : 'as if absent';
  return table.record({ request, expected: 'refused or absent', accepted: REFUSED_OR_ABSENT, answered, leaked, wrote });
}

describe.each(ROLES)('a $who.role ($who.id)', ({ who, foreign, reads, writesRules }) => {
  const viaGateway = async (query: string, variables: Record<string, unknown> = {}) =>
    platform.query<Record<string, any>>(query, variables, await signedIn(who, platform.trust));
  const direct = (subgraph: string, query: string, variables: Record<string, unknown>) =>
    postToSubgraph<Record<string, any>>(platform.subgraphUrls[subgraph]!, query, variables, who, platform.trust);

  // A role that reads every row by right shows the probes below can see a leak at all.
  if (!reads)
    it('reaches every row the others may not, by the same requests', async () => {
      const declaration = await viaGateway(`query ($mrn: ID!) { declaration(mrn: $mrn) { mrn } }`, { mrn: foreign.mrn });
      expect(declaration.data?.declaration).toEqual({ mrn: foreign.mrn });
      const entities = await direct('declarations', `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Declaration { mrn } } }`, {
        r: [{ __typename: 'Declaration', mrn: foreign.mrn }],
      });
      expect(entities.data?._entities).toEqual([{ mrn: foreign.mrn }]);
      expect((await viaGateway(`query ($r: ID!) { licence(reference: $r) { reference } }`, { r: foreign.licence })).data?.licence).toEqual({
        reference: foreign.licence,
      });
    });

  if (reads)
    it('reads no declaration or licence out of its scope, through the gateway or at the subgraph that owns it', async () => {
      const rows = [
        await attempt(
          `${who.id}: declaration(mrn) of ${foreign.office}`,
          () => viaGateway(`query ($mrn: ID!) { declaration(mrn: $mrn) { mrn } }`, { mrn: foreign.mrn }),
          (d) => d.declaration != null,
        ),
        await attempt(
          `${who.id}: declarations list`,
          () => viaGateway(`{ declarations(first: 100) { edges { node { mrn } } } }`),
          (d) => (d.declarations?.edges ?? []).some(({ node }: { node: { mrn: string } }) => node.mrn === foreign.mrn),
        ),
        await attempt(
          `${who.id}: declarations _entities, direct`,
          () =>
            direct('declarations', `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Declaration { mrn } } }`, {
              r: [{ __typename: 'Declaration', mrn: foreign.mrn }],
            }),
          (d) => (d._entities ?? []).some((entity: unknown) => entity != null),
        ),
        await attempt(
          `${who.id}: licence(reference) of ${foreign.office.slice(0, 2)}`,
          () => viaGateway(`query ($r: ID!) { licence(reference: $r) { reference } }`, { r: foreign.licence }),
          (d) => d.licence != null,
        ),
        await attempt(
          `${who.id}: licences _entities, direct`,
          () =>
            direct('licences', `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Licence { reference } } }`, {
              r: [{ __typename: 'Licence', reference: foreign.licence }],
            }),
          (d) => (d._entities ?? []).some((entity: unknown) => entity != null),
        ),
      ];
      expect(rows.filter((row) => row.leaked || row.wrote || !REFUSED_OR_ABSENT.includes(row.answered))).toEqual([]);
    });

  it('writes nothing out of its scope: controls, authorisations, licences, rules', async () => {
    const rows = [
      await attempt(
        `${who.id}: recordControlResult on ${foreign.office.slice(0, 2)}`,
        () =>
          viaGateway(`mutation ($input: RecordControlResultInput!) { recordControlResult(input: $input) { id } }`, {
            input: { mrn: foreign.mrn, lane: 'RED', controlType: 'PHYSICAL', outcome: 'IRREGULARITY_FOUND', date: '2025-06-01', office: foreign.office },
          }),
        (d) => d.recordControlResult != null,
      ),
      await attempt(
        `${who.id}: suspendAeoAuthorisation ${foreign.authorisation}`,
        () =>
          viaGateway(`mutation ($input: AeoStatusChangeInput!) { suspendAeoAuthorisation(input: $input) { status } }`, {
            input: { number: foreign.authorisation, reason: 'tried by the security table', date: '2025-06-01' },
          }),
        (d) => d.suspendAeoAuthorisation != null,
      ),
      await attempt(
        `${who.id}: cancelLicence ${foreign.licence}`,
        () =>
          viaGateway(`mutation ($input: LicenceStatusInput!) { cancelLicence(input: $input) { status } }`, {
            input: { reference: foreign.licence, reason: 'tried' },
          }),
        (d) => d.cancelLicence != null,
      ),
    ];
    if (!writesRules) {
      rows.push(
        await attempt(
          `${who.id}: createTargetingRule`,
          () =>
            viaGateway(`mutation ($input: CreateTargetingRuleInput!) { createTargetingRule(input: $input) { reference } }`, {
              input: {
                reference: `PCA-${who.id.toUpperCase()}`,
                kind: 'PRIORITY_CONTROL_AREA',
                description: 'tried by the security table',
                criteria: { originCountries: ['CN'] },
                weight: 1,
                validFrom: '2025-01-01',
              },
            }),
          (d) => d.createTargetingRule != null,
        ),
      );
    }
    expect(rows.filter((row) => row.leaked || row.wrote || !REFUSED_OR_ABSENT.includes(row.answered))).toEqual([]);
  });
});
