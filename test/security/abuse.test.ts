// Requests a hostile or careless client sends: too deep, too wide, too many aliases, huge
// strings, malformed scalars. Each is refused with a code that names the limit, before any
// subgraph is asked, and no answer carries a stack trace, a file path or a subgraph's URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../gateway/limits';
import { contractOperation, contractOperationNames } from '../support/contract';
import { CONTRACT_VARIABLES } from '../support/demo-identifiers';
import { SERVICE, signedIn } from '../support/auth';
import { startPlatform, type GraphQLResponse, type Platform } from '../support/platform';

let platform: Platform;
const tried: { request: string; code: string | undefined }[] = [];

beforeAll(async () => {
  platform = await startPlatform();
});

afterAll(async () => {
  await platform.stop();
  console.log(`abuse requests tried: ${tried.length}; refused with the expected code: ${tried.filter(({ code }) => code).length}`);
});

/** Sends a request through the gateway and remembers it, with its code, for the summary. */
async function attempt(name: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(platform.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await signedIn(SERVICE, platform.trust)) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<unknown>;
  tried.push({ request: name, code: body.errors?.[0]?.extensions?.code as string | undefined });
  expect(JSON.stringify(body)).not.toMatch(/stacktrace|\/work\/|node_modules|127\.0\.0\.1|localhost/);
  return { status: response.status, body };
}

const EORI = 'NL100000001';

/** `levels` rounds of operator → declarations → importer, each 5 fields deep. */
function deepQuery(levels: number): string {
  let inner = 'eori';
  for (let level = 0; level < levels; level++) inner = `declarations(first: 1) { edges { node { importer { ${inner} } } } }`;
  return `{ economicOperator(eori: "${EORI}") { ${inner} } }`;
}

describe('limits on what one request may ask for', () => {
  it('lets every contract operation through the default limits', async () => {
    for (const name of contractOperationNames()) {
      const { body } = await attempt(name, contractOperation(name), CONTRACT_VARIABLES[name] ?? {});
      expect(body.errors?.filter((error) => String(error.extensions?.code).startsWith('QUERY_') || error.extensions?.code === 'TOO_MANY_ALIASES')).toBeFalsy();
    }
  });

  it('refuses a query nested deeper than the limit with QUERY_TOO_DEEP, asking no subgraph', async () => {
    platform.queryPlans.length = 0;
    const { status, body } = await attempt('152 levels deep', deepQuery(38));
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_DEEP' }, message: expect.stringContaining(`at most ${DEFAULT_LIMITS.maxDepth}`) });
    expect(platform.queryPlans).toHaveLength(0);
  });

  it('refuses 500 aliases with TOO_MANY_ALIASES', async () => {
    const aliases = Array.from({ length: 500 }, (_, index) => `a${index}: __typename`).join(' ');
    const { body } = await attempt('500 aliases', `{ ${aliases} }`);
    expect(body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_ALIASES');
  });

  it('refuses 100 × 100 × 100 nested lists with QUERY_TOO_COSTLY, counting the page sizes it is given', async () => {
    const nested = (inner: string) => `declarations(first: $first) { edges { node { mrn importer { ${inner} } } } }`;
    const query = `query ($first: Int) { ${nested(nested(nested('eori')))} }`;
    const { body } = await attempt('100 × 100 × 100 lists', query, { first: 100 });
    expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    const small = await attempt('10 × 10 × 10 lists', query, { first: 10 });
    expect(small.body.errors, JSON.stringify(small.body.errors)).toBeUndefined();
  });

  it('refuses a 10,000-character string argument, inline or as a variable, with STRING_TOO_LONG naming it', async () => {
    const prefix = 'A'.repeat(10_000);
    const inline = await attempt('long inline string', `{ economicOperators(filter: { namePrefix: "${prefix}" }) { totalCount } }`);
    expect(inline.body.errors?.[0]?.extensions).toMatchObject({ code: 'STRING_TOO_LONG', field: 'economicOperators.filter.namePrefix' });
    const variable = await attempt('long variable', `query ($filter: EconomicOperatorFilter) { economicOperators(filter: $filter) { totalCount } }`, {
      filter: { namePrefix: prefix },
    });
    expect(variable.body.errors?.[0]?.extensions).toMatchObject({ code: 'STRING_TOO_LONG', field: 'filter.namePrefix' });
  });

  it('refuses a document of more tokens than the limit while parsing it', async () => {
    const fields = Array.from({ length: DEFAULT_LIMITS.maxTokens }, () => '__typename').join(' ');
    const { status, body } = await attempt('too many tokens', `{ ${fields} }`);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/tokens/);
  });

  it('answers a malformed key of a licence, rule, programme, partner, lane or model with BAD_USER_INPUT naming it', async () => {
    const lookups: [string, string, string][] = [
      ['licence', '{ licence(reference: "CHEDP.fr.2025.1") { reference } }', 'reference'],
      ['targetingRule', '{ targetingRule(reference: "drop table rules") { reference } }', 'reference'],
      ['mraProgramme', '{ mraProgramme(code: "cn-aeo") { code } }', 'code'],
      ['partnerOperator programme', '{ partnerOperator(programme: "XX-NONE", identifier: "1") { identifier } }', 'programme'],
      ['partnerOperator identifier', '{ partnerOperator(programme: "CA-PIP", identifier: "capip1") { identifier } }', 'identifier'],
      ['tradeLane', `{ tradeLane(code: "${'L'.repeat(41)}") { code } }`, 'code'],
      ['riskModel', '{ riskModel(version: 0) { version } }', 'version'],
    ];
    for (const [name, query, field] of lookups) {
      const { body } = await attempt(`malformed ${name}`, query);
      expect(body.errors?.[0]?.extensions, name).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    // A well-formed key that names nothing is simply not there.
    const { body } = await attempt('unknown licence', '{ licence(reference: "CHEDP.NL.2025.9999999") { reference } }');
    expect(body).toEqual({ data: { licence: null } });
  });

  it('answers a malformed Date variable with BAD_USER_INPUT, not a wrapped 400 of the subgraph', async () => {
    const { body } = await attempt('bad Date', `query ($filter: DeclarationFilter) { declarations(filter: $filter) { totalCount } }`, {
      filter: { acceptedFrom: '2025-13-45' },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/YYYY-MM-DD/);
  });

  it('refuses a batched array of operations: one request is one operation', async () => {
    const response = await fetch(platform.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signedIn(SERVICE, platform.trust)) },
      body: JSON.stringify(Array.from({ length: 50 }, () => ({ query: '{ __typename }' }))),
    });
    tried.push({ request: '50 batched operations', code: `HTTP ${response.status}` });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('"__typename"');
  });

  it('refuses a request body over 2 MB with 413, before parsing it', async () => {
    const response = await fetch(platform.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signedIn(SERVICE, platform.trust)) },
      body: JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(3 * 1024 * 1024) } }),
    });
    tried.push({ request: '3 MB body', code: `HTTP ${response.status}` });
    expect(response.status).toBe(413);
  });

  it('refuses fragments that spread each other into 65,536 fields with QUERY_TOO_LARGE, before expanding them', async () => {
    const fragments = Array.from({ length: 15 }, (_, i) => `fragment F${i + 1} on Declaration { ...F${i + 2} ...F${i + 2} }`);
    const query = `query Bomb { declaration(mrn: "20NL00000970618001") { ...F1 } }\n${fragments.join('\n')}\nfragment F16 on Declaration { lrn }`;
    platform.queryPlans.length = 0;
    const { status, body } = await attempt('fragment bomb', query);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_LARGE');
    expect(platform.queryPlans).toHaveLength(0);
  });
});
