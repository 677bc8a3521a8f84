// Getting in without a valid identity: no token, forged and mistaken tokens, spoofed headers,
// and the subgraphs' own ports. Nothing may answer with data, and nothing may be written.
import { createHmac } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_SCOPES } from '../../subgraphs/kit/auth/roles';
import { signGatewayToken } from '../../subgraphs/kit/auth/tokens';
import { ephemeralTrust, newKeyPair, type KeyPair } from '../../subgraphs/kit/auth/trust';
import { caller, SERVICE } from '../support/auth';
import { startPlatform, type Platform } from '../support/platform';
import { securityTable } from '../support/security-table';

let platform: Platform;
let issuerKeys: KeyPair;
let issuerKey: CryptoKey;
const table = securityTable('Authentication: who may reach the graph');

const SUSPEND = `mutation { suspendAeoAuthorisation(input: { number: "DEAEOF0000123456", reason: "forged", date: "2025-01-01" }) { status } }`;
const TRADER = `{ economicOperator(eori: "DE123456789012345") { eori name } }`;
const AUDITOR = { sub: 'mallory', role: 'aeo-auditor', member_state: 'DE' };

beforeAll(async () => {
  issuerKeys = await newKeyPair('local-issuer');
  issuerKey = (await importJWK(issuerKeys.privateJwk, 'EdDSA')) as CryptoKey;
  platform = await startPlatform({ trust: await ephemeralTrust({ issuerKeys }) });
  await platform.query(`mutation { registerEconomicOperator(input: { eori: "DE123456789012345", name: "Hanseatic", country: "DE" }) { eori } }`);
  await platform.query(
    `mutation { grantAeoAuthorisation(input: { number: "DEAEOF0000123456", holder: "DE123456789012345", type: AEOF, validFrom: "2020-01-01", issuingCountry: "DE" }) { status } }`,
  );
}, 60_000);

afterAll(async () => {
  table.print();
  expect(table.attempts.filter((a) => a.leaked || a.wrote)).toEqual([]);
  await platform.stop();
});

/** Claims signed with the platform's own issuer key, so only what the test changes is wrong. */
function sign(claims: Record<string, unknown>, { audience = 'customs-risk-graph', issuer = 'urn:customs-risk-graph:local-issuer', expires = '5m' } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: 'local-issuer' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expires)
    .sign(issuerKey);
}

function unsigned(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, iss: 'urn:customs-risk-graph:local-issuer', aud: 'customs-risk-graph', exp: now + 300 })}.`;
}

/** HS256 keyed with the issuer's public key: the confusion attack on libraries that let the token pick its algorithm. */
function hmacWithPublicKey(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ ...claims, iss: 'urn:customs-risk-graph:local-issuer', aud: 'customs-risk-graph', exp: now + 300 })}`;
  return `${body}.${createHmac('sha256', JSON.stringify(issuerKeys.publicJwk)).update(body).digest('base64url')}`;
}

async function authorisationHistoryLength(): Promise<number> {
  return (await platform.aeo.models.authorisations.findById('DEAEOF0000123456').lean())?.history.length ?? 0;
}

/** Sends a request, records how it was answered, and whether it leaked or wrote anything. */
async function attempt(request: string, url: string, query: string, headers: Record<string, string>, expected = 'UNAUTHENTICATED') {
  const before = await authorisationHistoryLength();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const body = (await response.json().catch(() => ({}))) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
  const answered = body.errors?.[0]?.extensions?.code ?? (response.ok ? 'ok' : `HTTP ${response.status}`);
  // Data is a leak unless the request was meant to get through.
  const leaked = expected !== 'ok' && Object.values(body.data ?? {}).some((value) => value !== null);
  const wrote = (await authorisationHistoryLength()) !== before;
  const row = table.record({ request, expected, answered, leaked, wrote });
  return { status: response.status, row };
}

describe('the gateway', () => {
  it('answers health checks without a token, and nothing else', async () => {
    expect((await fetch(`${platform.gatewayUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${platform.gatewayUrl}/readyz`)).status).toBe(200);
    const introspection = await attempt('anonymous introspection', platform.graphqlUrl, '{ __schema { types { name } } }', {});
    expect(introspection.status).toBe(401);
    expect(introspection.row.answered).toBe('UNAUTHENTICATED');
    const query = await attempt('anonymous query', platform.graphqlUrl, TRADER, {});
    expect(query.row).toMatchObject({ answered: 'UNAUTHENTICATED', leaked: false });
  });

  it('refuses an anonymous write, with UNAUTHENTICATED, writing nothing', async () => {
    const { row } = await attempt('anonymous suspendAeoAuthorisation', platform.graphqlUrl, SUSPEND, {});
    expect(row).toMatchObject({ answered: 'UNAUTHENTICATED', wrote: false });
  });

  it('ignores x-caller-id and x-caller-roles headers: identity comes from a token only', async () => {
    const { row } = await attempt('spoofed x-caller-* headers', platform.graphqlUrl, SUSPEND, {
      'x-caller-id': 'auditor-1',
      'x-caller-roles': 'aeo-auditor,service',
    });
    expect(row).toMatchObject({ answered: 'UNAUTHENTICATED', wrote: false });
  });

  it.each([
    ['an expired token', () => sign(AUDITOR, { expires: '-1m' })],
    ['a token for another audience', () => sign(AUDITOR, { audience: 'another-service' })],
    ['a token from another issuer', () => sign(AUDITOR, { issuer: 'https://idp.example' })],
    ['an unsigned token (alg: none)', async () => unsigned(AUDITOR)],
    ['an HS256 token keyed with the public key', async () => hmacWithPublicKey(AUDITOR)],
    [
      'a token signed by another key',
      async () => {
        const other = await ephemeralTrust();
        return other.localIssuer.issue(caller('service'), '5m');
      },
    ],
    ['a token with a role the platform does not have', () => sign({ sub: 'mallory', role: 'admin' })],
    ['an officer token without a Member State', () => sign({ sub: 'mallory', role: 'customs-officer' })],
    ['a commission token confined to a Member State', () => sign({ sub: 'mallory', role: 'commission-analyst', member_state: 'NL' })],
    ['a token without a subject', () => sign({ role: 'service' })],
    ['a gateway token shown to the gateway', () => signGatewayToken(SERVICE, platform.trust.gatewaySigningKey)],
    ['a malformed token', async () => 'not.a.jwt'],
    [
      'an unexpired token issued two days ago',
      () =>
        new SignJWT(AUDITOR)
          .setProtectedHeader({ alg: 'EdDSA', kid: 'local-issuer' })
          .setIssuer('urn:customs-risk-graph:local-issuer')
          .setAudience('customs-risk-graph')
          .setIssuedAt(Math.floor(Date.now() / 1000) - 2 * 86_400)
          .setExpirationTime('1h')
          .sign(issuerKey),
    ],
    ['a token naming a subject the audit trail reserves', () => sign({ sub: 'anonymous', role: 'service' })],
  ])('refuses %s with UNAUTHENTICATED, writing nothing', async (name, token) => {
    const { status, row } = await attempt(name, platform.graphqlUrl, SUSPEND, { authorization: `Bearer ${await token()}` });
    expect(status).toBe(401);
    expect(row).toMatchObject({ answered: 'UNAUTHENTICATED', leaked: false, wrote: false });
  });

  it('accepts a valid token signed by the issuer', async () => {
    const { row } = await attempt(
      'a valid service token',
      platform.graphqlUrl,
      TRADER,
      { authorization: `Bearer ${await sign({ sub: 'robot', role: 'service' })}` },
      'ok',
    );
    expect(row.answered).toBe('ok');
    expect(row.wrote).toBe(false);
  });
});

describe('a subgraph, called on its own port', () => {
  const direct = (name: string) => platform.subgraphUrls[name]!;

  it.each(['aeo', 'declarations', 'licences', 'mra', 'risk'])('the %s subgraph refuses a request without the gateway’s token', async (name) => {
    const { status, row } = await attempt(`${name}: no token`, direct(name), '{ _service { sdl } }', {});
    expect(status).toBe(401);
    expect(row).toMatchObject({ answered: 'UNAUTHENTICATED', leaked: false });
  });

  it('refuses a valid identity token: only the gateway may call a subgraph', async () => {
    const { row } = await attempt('aeo: identity token, not the gateway’s', direct('aeo'), SUSPEND, {
      authorization: `Bearer ${await sign({ sub: 'robot', role: 'service' })}`,
    });
    expect(row).toMatchObject({ answered: 'UNAUTHENTICATED', wrote: false });
  });

  it('refuses a gateway token signed by another key', async () => {
    const other = await ephemeralTrust();
    const forged = await signGatewayToken({ id: 'mallory', role: 'service', scopes: ROLE_SCOPES.service }, other.gatewaySigningKey);
    const { row } = await attempt('aeo: forged gateway token', direct('aeo'), SUSPEND, { authorization: `Bearer ${forged}` });
    expect(row).toMatchObject({ answered: 'UNAUTHENTICATED', wrote: false });
  });

  it('refuses forged _entities that claim a valid AEOF for a suspended operator', async () => {
    const forged = `{ _entities(representations: [{ __typename: "EconomicOperator", eori: "DE123456789012345", aeoAuthorisations: [{ type: AEOF, status: VALID }] }]) {
      ... on EconomicOperator { mutualRecognitions { programme { code } status } } } }`;
    const { row } = await attempt('mra: forged _entities, no token', direct('mra'), forged, { 'x-caller-id': 'gateway' });
    expect(row).toMatchObject({ answered: 'UNAUTHENTICATED', leaked: false });
  });

  it('refuses the ingest endpoint without a service token, storing nothing', async () => {
    const response = await fetch(new URL('/ingest', direct('aeo')), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-caller-roles': 'ingest' },
      body: JSON.stringify({ records: [{ kind: 'economicOperator', eori: 'DE000000666', name: 'Forged', country: 'DE' }] }),
    });
    const wrote = (await platform.aeo.models.operators.findById('DE000000666').lean()) !== null;
    table.record({ request: 'aeo /ingest: spoofed role header', expected: 'HTTP 401', answered: `HTTP ${response.status}`, leaked: false, wrote });
    expect(response.status).toBe(401);
    expect(wrote).toBe(false);
  });
});
