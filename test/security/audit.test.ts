// The audit trail: every request that reads or writes trader or declaration data leaves an entry
// of who asked, when, what, which traders and declarations it touched and how it ended; only the
// data protection officer reads it, nobody changes it, and no entry is lost under load.
import { createHash } from 'node:crypto';
import { getNamedType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_IDENTITY } from '../../subgraphs/kit/auth/gateway-identity';
import { ROLES, type Role } from '../../subgraphs/kit/auth/roles';
import { AUDIT_AUDIENCE, signGatewayToken } from '../../subgraphs/kit/auth/tokens';
import { caller, fromGateway, SERVICE, signedIn } from '../support/auth';
import { apiSchema } from '../support/contract';
import { declaration, mrn } from '../support/fixtures';
import { postGraphQL, startPlatform, type Platform } from '../support/platform';

let platform: Platform;
type Data = Record<string, any>;

const EORI = 'NL100000001';
const OFFICER = caller('customs-officer', { memberState: 'NL' }, 'officer-nl-audit');
const DPO = caller('data-protection-officer', {}, 'dpo-audit');

/** A scope claim for every role that needs one, so each can sign in. */
const SCOPE_CLAIMS: Partial<Record<Role, Parameters<typeof caller>[1]>> = {
  'customs-officer': { memberState: 'NL' },
  'risk-analyst': { memberState: 'NL' },
  'aeo-auditor': { memberState: 'NL' },
  'licensing-authority': { memberState: 'NL', licenceType: 'CHED' },
  'mra-partner': { programme: 'US-CTPAT' },
};

const OPERATOR_WITH_DECLARATIONS = `query OperatorWithDeclarations($eori: ID!) {
  economicOperator(eori: $eori) { name declarations(first: 5) { edges { node { acceptanceDate } } } }
}`;

const TRAIL = `query Trail($filter: AuditFilter, $first: Int, $after: String) {
  auditTrail(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id at subject role memberState licenceType programme operationName operationType documentHash eoris mrns outcome errorCodes } }
  }
}`;

async function as(who: ReturnType<typeof caller>, query: string, variables: Record<string, unknown> = {}) {
  return postGraphQL<Data>(platform.graphqlUrl, query, variables, await signedIn(who, platform.trust));
}

/** The trail as the data protection officer reads it, once the gateway has stored what it recorded. */
async function trail(filter: Record<string, unknown>, first = 100, after?: string) {
  await platform.flushAudit();
  const { data, errors } = await as(DPO, TRAIL, { filter, first, after });
  expect(errors).toBeUndefined();
  return data!.auditTrail as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Data }[] };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function entry(at: string, id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    at,
    subject: 'batch-test',
    role: 'customs-officer',
    memberState: 'NL',
    operationName: 'Retried',
    operationType: 'QUERY',
    documentHash: sha256('query Retried { __typename }'),
    eoris: [EORI],
    mrns: [],
    outcome: 'OK',
    errorCodes: [],
    ...overrides,
  };
}

async function postAudit(body: unknown, headers: Record<string, string>, method = 'POST') {
  return fetch(new URL('/audit', platform.audit.url), {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(method === 'POST' && { body: JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  platform = await startPlatform();
  await platform.aeo.models.operators.create({ _id: EORI, name: 'Importer One B.V.', country: 'NL', aeoTags: [] });
  const { kind: _kind, ...input } = declaration(1);
  const lodged = await platform.query(`mutation ($input: LodgeDeclarationInput!) { lodgeDeclaration(input: $input) { mrn } }`, { input });
  expect(lodged.errors).toBeUndefined();
});

afterAll(async () => {
  await platform.stop();
});

describe('what the trail records', () => {
  it("records an officer's query with who asked, the operation, its hash, the traders and declarations returned, and OK", async () => {
    const { data, errors } = await as(OFFICER, OPERATOR_WITH_DECLARATIONS, { eori: EORI });
    expect(errors).toBeUndefined();
    // The answer is what was asked: the key fields the gateway added for the trail are gone.
    expect(data).toEqual({
      economicOperator: { name: 'Importer One B.V.', declarations: { edges: [{ node: { acceptanceDate: declaration(1).acceptanceDate } }] } },
    });

    const { edges } = await trail({ subject: OFFICER.id });
    const recorded = edges.find(({ node }) => node.operationName === 'OperatorWithDeclarations')?.node;
    expect(recorded).toMatchObject({
      subject: OFFICER.id,
      role: 'customs-officer',
      memberState: 'NL',
      operationType: 'QUERY',
      documentHash: sha256(OPERATOR_WITH_DECLARATIONS),
      eoris: [EORI],
      // The query asked for no MRN; the trail knows which declaration it returned all the same.
      mrns: [mrn(1)],
      outcome: 'OK',
      errorCodes: [],
    });
    expect(Date.now() - Date.parse(recorded!.at)).toBeLessThan(60_000);
  });

  it('records a refused write with its error code and the trader it tried to write', async () => {
    const register = `mutation Register($input: RegisterEconomicOperatorInput!) { registerEconomicOperator(input: $input) { eori } }`;
    const refused = await as(OFFICER, register, { input: { eori: 'NL199999999', name: 'Not Yours B.V.', country: 'NL' } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const { edges } = await trail({ subject: OFFICER.id });
    expect(edges.find(({ node }) => node.operationName === 'Register')?.node).toMatchObject({
      operationType: 'MUTATION',
      eoris: ['NL199999999'],
      outcome: 'ERROR',
      errorCodes: ['FORBIDDEN'],
    });
  });

  it('records a write refused for bad input with BAD_USER_INPUT and the MRN it named', async () => {
    const record = `mutation RecordControl($input: RecordControlResultInput!) { recordControlResult(input: $input) { id } }`;
    const input = { mrn: '25NL000000000000X9', lane: 'RED', controlType: 'DOCUMENTARY', outcome: 'NO_IRREGULARITY', date: '2025-03-02', office: 'NL000396' };
    const refused = await as(OFFICER, record, { input });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const { edges } = await trail({ subject: OFFICER.id });
    expect(edges.find(({ node }) => node.operationName === 'RecordControl')?.node).toMatchObject({
      mrns: ['25NL000000000000X9'],
      outcome: 'ERROR',
      errorCodes: ['BAD_USER_INPUT'],
    });
  });

  it('records requests refused for want of a valid token, as anonymous or unverified, without reading them', async () => {
    const ask = (headers: Record<string, string>) =>
      fetch(platform.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: `{ economicOperator(eori: "${EORI}") { name } }` }),
      });
    expect((await ask({})).status).toBe(401);
    expect((await ask({ authorization: 'Bearer not.a.token' })).status).toBe(401);
    for (const subject of ['anonymous', 'unverified']) {
      const { edges } = await trail({ subject });
      expect(edges[0]?.node, subject).toMatchObject({ subject, role: null, operationName: null, eoris: [], outcome: 'ERROR', errorCodes: ['UNAUTHENTICATED'] });
    }
  });

  it('leaves schema introspection out of the trail', async () => {
    const explorer = caller('customs-officer', { memberState: 'NL' }, 'officer-introspecting');
    expect((await as(explorer, `query Schema { __schema { queryType { name } } }`)).errors).toBeUndefined();
    expect((await trail({ subject: explorer.id })).totalCount).toBe(0);
  });

  it('refuses client aliases in the prefix reserved for the trail, so nobody can plant keys in an entry', async () => {
    const { errors } = await as(OFFICER, `{ economicOperator(eori: "${EORI}") { __audit_eori: name } }`);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: '__audit_eori' });
  });
});

describe('who reads the trail', () => {
  it('lets the data protection officer filter it by subject, EORI, MRN and period, newest first, a page at a time', async () => {
    const reader = caller('risk-analyst', { memberState: 'NL' }, 'analyst-paging');
    const from = new Date().toISOString();
    for (let i = 0; i < 5; i++) expect((await as(reader, OPERATOR_WITH_DECLARATIONS, { eori: EORI })).errors).toBeUndefined();
    const to = new Date(Date.now() + 1_000).toISOString();

    const all = await trail({ subject: reader.id });
    expect(all.totalCount).toBe(5);
    const times = all.edges.map(({ node }) => node.at as string);
    expect(times).toEqual([...times].sort().reverse());

    expect((await trail({ subject: reader.id, eori: EORI })).totalCount).toBe(5);
    expect((await trail({ subject: reader.id, mrn: mrn(1) })).totalCount).toBe(5);
    expect((await trail({ subject: reader.id, eori: 'NL199999999' })).totalCount).toBe(0);
    expect((await trail({ eori: EORI })).edges.every(({ node }) => (node.eoris as string[]).includes(EORI))).toBe(true);
    expect((await trail({ subject: reader.id, from, to })).totalCount).toBe(5);
    expect((await trail({ subject: reader.id, to: from })).totalCount).toBe(0);

    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 5; page++) {
      const { edges, pageInfo } = await trail({ subject: reader.id }, 2, after);
      seen.push(...edges.map(({ node }) => node.id as string));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor!;
    }
    expect(seen).toEqual(all.edges.map(({ node }) => node.id));
  });

  it('refuses filters that are no EORI, MRN or moment with BAD_USER_INPUT', async () => {
    const bad = async (filter: Record<string, unknown>) => (await as(DPO, TRAIL, { filter })).errors?.[0]?.extensions;
    expect(await bad({ eori: 'nl123' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.eori' });
    expect(await bad({ mrn: '25NL0000000000001X' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.mrn' });
    expect(await bad({ from: 'yesterday' })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await bad({ from: '2025-03-02T00:00:00Z', to: '2025-03-01T00:00:00Z' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.to' });
  });

  it('refuses the trail to every other role with FORBIDDEN', async () => {
    for (const role of ROLES.filter((role) => role !== 'data-protection-officer')) {
      const { data, errors } = await as(caller(role, SCOPE_CLAIMS[role]), TRAIL, { filter: {} });
      expect(errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
      expect(data?.auditTrail ?? null, role).toBeNull();
    }
  });

  it('refuses the trail in the audit subgraph itself too, whatever the gateway lets through', async () => {
    const response = await postGraphQL<Data>(platform.audit.url, TRAIL, { filter: {} }, await fromGateway(SERVICE, platform.trust));
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('an append-only trail', () => {
  it('offers no operation that changes or removes an entry', async () => {
    const schema = apiSchema();
    const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
    expect(mutations.filter((field) => /audit/i.test(field.name) || getNamedType(field.type).name.startsWith('Audit'))).toEqual([]);
    const auditTypes = Object.values(schema.getTypeMap()).filter((type) => type.name.startsWith('Audit') && isObjectType(type));
    expect(auditTypes.map((type) => type.name).sort()).toEqual(['AuditEntry', 'AuditEntryConnection', 'AuditEntryEdge']);

    const asGateway = { authorization: `Bearer ${await signGatewayToken(GATEWAY_IDENTITY, platform.trust.gatewaySigningKey, AUDIT_AUDIENCE)}` };
    for (const method of ['PUT', 'PATCH', 'DELETE']) expect((await postAudit(undefined, asGateway, method)).status, method).toBe(405);
  });

  it('stores each entry of a batch sent twice once', async () => {
    const at = new Date().toISOString();
    const entries = [entry(at, 'retry-test-1'), entry(at, 'retry-test-2'), entry(at, 'retry-test-3')];
    const asGateway = { authorization: `Bearer ${await signGatewayToken(GATEWAY_IDENTITY, platform.trust.gatewaySigningKey, AUDIT_AUDIENCE)}` };
    const first = await postAudit({ entries }, asGateway);
    expect(await first.json()).toEqual({ stored: 3, duplicates: 0 });
    const again = await postAudit({ entries: [...entries, entry(at, 'retry-test-4')] }, asGateway);
    expect(await again.json()).toEqual({ stored: 1, duplicates: 3 });
    expect((await trail({ subject: 'batch-test' })).totalCount).toBe(4);
  });

  it('stores an entry naming 3,000 declarations, and finds it by any one of them', async () => {
    // As the risk engine's pages of filings make them: one value too large for an array index on FerretDB.
    const mrns = Array.from({ length: 3_000 }, (_, i) => mrn(10_000 + i));
    const asGateway = { authorization: `Bearer ${await signGatewayToken(GATEWAY_IDENTITY, platform.trust.gatewaySigningKey, AUDIT_AUDIENCE)}` };
    const response = await postAudit({ entries: [entry(new Date().toISOString(), 'wide-1', { subject: 'wide-page', mrns })] }, asGateway);
    expect(await response.json()).toEqual({ stored: 1, duplicates: 0 });
    const found = await trail({ subject: 'wide-page', eori: EORI, mrn: mrns[2_999] });
    expect(found.edges.map(({ node }) => node.id)).toEqual(['wide-1']);
    expect(found.edges[0]!.node.mrns).toHaveLength(3_000);
  });

  it("refuses POST /audit from anyone but the gateway's own identity", async () => {
    const at = new Date().toISOString();
    const body = { entries: [entry(at, 'forged-1', { subject: 'forged' })] };
    expect((await postAudit(body, {})).status).toBe(401);
    expect((await postAudit(body, await signedIn(SERVICE, platform.trust))).status).toBe(401);
    // What the gateway signs on a caller's behalf is addressed to the subgraphs' /graphql, not to the trail.
    expect((await postAudit(body, await fromGateway(OFFICER, platform.trust))).status).toBe(401);
    expect((await postAudit(body, await fromGateway(SERVICE, platform.trust))).status).toBe(401);
    // And what it signs for the trail is no key to any subgraph's /graphql.
    const auditToken = { authorization: `Bearer ${await signGatewayToken(GATEWAY_IDENTITY, platform.trust.gatewaySigningKey, AUDIT_AUDIENCE)}` };
    const replayed = await postGraphQL<Data>(platform.subgraphUrls.declarations!, '{ declarations(first: 1) { totalCount } }', {}, auditToken);
    expect(replayed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await trail({ subject: 'forged' })).totalCount).toBe(0);
  });

  it("refuses a caller whose token claims the gateway's own subject", async () => {
    const impostor = caller('service', {}, GATEWAY_IDENTITY.id);
    const { errors } = await as(impostor, `{ economicOperator(eori: "${EORI}") { name } }`);
    expect(errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('under load', () => {
  it('keeps an entry for each of 500 concurrent requests', async () => {
    const client = caller('customs-officer', { memberState: 'NL' }, 'officer-under-load');
    const headers = await signedIn(client, platform.trust);
    const answers = await Promise.all(
      Array.from({ length: 500 }, () =>
        postGraphQL<Data>(platform.graphqlUrl, `query Load($eori: ID!) { economicOperator(eori: $eori) { name } }`, { eori: EORI }, headers),
      ),
    );
    expect(answers.filter((answer) => answer.errors)).toEqual([]);
    const recorded = await trail({ subject: client.id }, 1);
    expect(recorded.totalCount).toBe(500);
  });
});
