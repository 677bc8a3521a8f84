// Subgraphs killed with SIGKILL in the middle of a mutation, at the worst moment: the database has
// applied the write, and the subgraph has not answered yet, so its caller cannot know whether it
// was applied. The subgraph starts again on the same database, as a supervisor starts it, and the
// caller sends the same mutation again. Every write acknowledged before the kill is still there,
// and the one that was cut off took effect exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../subgraphs/kit/auth/roles';
import { signGatewayToken } from '../../subgraphs/kit/auth/tokens';
import { ensureLocalKeys, trustFromEnv } from '../../subgraphs/kit/auth/trust';
import { caller, SERVICE } from '../support/auth';
import { chedLicence, controlResult, declaration, mrn } from '../support/fixtures';
import { postGraphQL, testDatabase, uniqueRunId, type GraphQLResponse } from '../support/platform';
import { startReplyHoldingProxy, type ReplyHoldingProxy } from '../support/reply-holding-proxy';
import { freePort, startSubgraphProcess, type SubgraphProcess } from '../support/subgraph-process';

type Data = Record<string, any>;
type Name = 'aeo' | 'declarations' | 'licences' | 'risk';

const engineUri = testDatabase('unused').uri;
const databasePrefix = `test_${uniqueRunId()}`;
const authDir = mkdtempSync(join(tmpdir(), 'killed-mid-write-auth-'));
const running = new Set<SubgraphProcess>();
const ports = new Map<Name, number>();
let proxy: ReplyHoldingProxy;
let gatewayKey: CryptoKey;
let engine: Connection;

/** The subgraph's process, on its port and database; through the proxy the first time, to hold a reply. */
async function start(name: Name, mongoUri: string): Promise<SubgraphProcess> {
  if (!ports.has(name)) ports.set(name, await freePort());
  const subgraph = await startSubgraphProcess(name, { port: ports.get(name)!, mongoUri, databasePrefix, authDir });
  running.add(subgraph);
  return subgraph;
}

/** One request as the gateway sends it on behalf of `who`. */
async function send(subgraph: SubgraphProcess, query: string, variables: Record<string, unknown> = {}, who: Caller = SERVICE): Promise<GraphQLResponse<Data>> {
  return postGraphQL<Data>(subgraph.url, query, variables, { authorization: `Bearer ${await signGatewayToken(who, gatewayKey)}` });
}

async function answered(subgraph: SubgraphProcess, query: string, variables: Record<string, unknown> = {}, who: Caller = SERVICE): Promise<Data> {
  const { data, errors } = await send(subgraph, query, variables, who);
  expect(errors).toBeUndefined();
  return data!;
}

/**
 * Sends the mutation, lets the database apply its `command` on `collection` but keeps the reply
 * from the subgraph, kills the subgraph then, and starts it again on the same database. The caller
 * got no answer: it cannot tell whether the write was made.
 */
async function killedMidWrite(
  name: Name,
  subgraph: SubgraphProcess,
  [command, collection]: [string, string],
  mutation: string,
  variables: Record<string, unknown>,
  who: Caller = SERVICE,
): Promise<SubgraphProcess> {
  const applied = proxy.holdReplyTo(command, collection);
  const attempt = send(subgraph, mutation, variables, who).then(
    (response) => ({ answered: response }),
    (error: unknown) => ({ failed: error }),
  );
  await Promise.race([
    applied,
    attempt.then((outcome) => Promise.reject(new Error(`The mutation ended before its ${command} on ${collection} was held: ${JSON.stringify(outcome)}`))),
  ]);
  await subgraph.kill();
  running.delete(subgraph);
  expect(await attempt).toMatchObject({ failed: expect.any(Error) });
  return start(name, engineUri);
}

function database(name: Name) {
  return engine.useDb(`${databasePrefix}_${name}`, { useCache: true }).db!;
}

beforeAll(async () => {
  await ensureLocalKeys(authDir);
  gatewayKey = (await trustFromEnv({ gateway: true }, { AUTH_DIR: authDir })).gatewaySigningKey;
  proxy = await startReplyHoldingProxy(engineUri);
  engine = await mongoose.createConnection(engineUri).asPromise();
});

afterAll(async () => {
  for (const subgraph of running) await subgraph.kill();
  await proxy?.close();
  for (const name of ports.keys()) await database(name).dropDatabase();
  await engine?.close();
  rmSync(authDir, { recursive: true, force: true });
});

describe('the licences subgraph, killed while it records a usage', () => {
  const REFERENCE = 'CHEDP.NL.2025.0000001';
  const ISSUE = `mutation ($input: IssueLicenceInput!) { issueLicence(input: $input) { reference } }`;
  const USE = `mutation ($input: RecordLicenceUsageInput!) { recordLicenceUsage(input: $input) { goods { quantityRemaining } usages { mrn itemNumber quantity } } }`;
  const licence = (reference: string) => ({ ...chedLicence(0), reference });
  const usage = (serial: number, quantity: number) => ({ input: { reference: REFERENCE, mrn: mrn(serial), itemNumber: 1, quantity, date: '2025-03-02' } });

  it('keeps every write it acknowledged, and the retried usage draws its quantity once', async () => {
    let licences = await start('licences', proxy.uri);
    await answered(licences, ISSUE, { input: licence(REFERENCE) });
    await answered(licences, ISSUE, { input: licence('CHEDP.NL.2025.0000002') });
    await answered(licences, USE, usage(1, 100));
    await answered(licences, `mutation { suspendLicence(input: { reference: "CHEDP.NL.2025.0000002", reason: "Audit" }) { status } }`);

    licences = await killedMidWrite('licences', licences, ['insert', 'licenceStates'], USE, usage(2, 50));

    const retried = await answered(licences, USE, usage(2, 50));
    expect(retried.recordLicenceUsage).toEqual({
      goods: [{ quantityRemaining: 100 }],
      usages: [
        { mrn: mrn(1), itemNumber: 1, quantity: 100 },
        { mrn: mrn(2), itemNumber: 1, quantity: 50 },
      ],
    });
    const other = await answered(licences, `{ licence(reference: "CHEDP.NL.2025.0000002") { status goods { quantityRemaining } } }`);
    expect(other.licence).toEqual({ status: 'SUSPENDED', goods: [{ quantityRemaining: 250 }] });
  }, 60_000);
});

describe('the aeo subgraph, killed while it suspends an authorisation', () => {
  const NUMBER = 'DEAEOF0000000001';
  const SUSPEND = `mutation ($input: AeoStatusChangeInput!) { suspendAeoAuthorisation(input: $input) { status statusHistory { status reason } } }`;
  const suspension = { input: { number: NUMBER, reason: 'Questionnaire overdue', date: '2024-03-01', idempotencyKey: '0b9d6f0e-suspend' } };
  const SUSPENDED_AEOF = `{ economicOperators(filter: { aeoType: AEOF, aeoStatus: SUSPENDED }) { edges { node { eori } } } }`;

  it('keeps every write it acknowledged, and the retried suspension is recorded once and finished', async () => {
    let aeo = await start('aeo', proxy.uri);
    await answered(aeo, `mutation { registerEconomicOperator(input: { eori: "DE100000000001", name: "Rhein Logistik GmbH", country: "DE" }) { eori } }`);
    await answered(
      aeo,
      `mutation { grantAeoAuthorisation(input: { number: "${NUMBER}", holder: "DE100000000001", type: AEOF, validFrom: "2019-05-01" }) { number } }`,
    );

    aeo = await killedMidWrite('aeo', aeo, ['update', 'authorisations'], SUSPEND, suspension);
    // The status was written; the operator's tags, written after it, were not.
    expect(
      await database('aeo')
        .collection('authorisations')
        .findOne({ _id: NUMBER as never }),
    ).toMatchObject({ status: 'SUSPENDED' });
    expect((await answered(aeo, SUSPENDED_AEOF)).economicOperators.edges).toEqual([]);

    const retried = await answered(aeo, SUSPEND, suspension);
    expect(retried.suspendAeoAuthorisation).toEqual({
      status: 'SUSPENDED',
      statusHistory: [
        { status: 'VALID', reason: 'Authorisation granted' },
        { status: 'SUSPENDED', reason: 'Questionnaire overdue' },
      ],
    });
    expect((await answered(aeo, SUSPENDED_AEOF)).economicOperators.edges).toEqual([{ node: { eori: 'DE100000000001' } }]);
  }, 60_000);
});

describe('the declarations subgraph, killed while it lodges a declaration', () => {
  const LODGE = `mutation ($input: LodgeDeclarationInput!) { lodgeDeclaration(input: $input) { mrn lrn } }`;
  const lodging = (serial: number) => {
    const { kind: _kind, ...input } = declaration(serial);
    return { input };
  };

  it('keeps every write it acknowledged, finishes the journalled batch when it starts, and the retry changes nothing more', async () => {
    let declarations = await start('declarations', proxy.uri);
    await answered(declarations, LODGE, lodging(1));
    const { kind: _kind, ...control } = controlResult(1);
    await answered(declarations, `mutation ($input: RecordControlResultInput!) { recordControlResult(input: $input) { id } }`, { input: control });

    declarations = await killedMidWrite('declarations', declarations, ['insert', 'writeJournal'], LODGE, lodging(2));
    // Journalled when it was killed, applied from the journal when it started again.
    expect(await database('declarations').collection('writeJournal').countDocuments()).toBe(0);

    expect((await answered(declarations, LODGE, lodging(2))).lodgeDeclaration).toEqual({ mrn: mrn(2), lrn: 'LRN-2' });
    const { changes } = await answered(declarations, `{ changes(first: 100) { edges { node { kind mrn } } } }`);
    expect(changes.edges.map(({ node }: Data) => `${node.kind} ${node.mrn}`)).toEqual([
      `DECLARATION ${mrn(1)}`,
      `CONTROL_RESULT ${mrn(1)}`,
      `DECLARATION ${mrn(2)}`,
    ]);
  }, 60_000);
});

describe('the risk subgraph, killed while it changes a targeting rule', () => {
  const ANALYST = caller('risk-analyst', { memberState: 'NL' }, 'analyst-5');
  const CREATE = `mutation ($input: CreateTargetingRuleInput!) { createTargetingRule(input: $input) { reference revision } }`;
  const CHANGE = `mutation ($input: ChangeTargetingRuleInput!) { changeTargetingRule(input: $input) { reference revision weight changedBy } }`;
  const rule = (reference: string) => ({
    reference,
    kind: 'PRIORITY_CONTROL_AREA',
    description: 'Smartphones from China',
    criteria: { commodityCodePrefixes: ['8517'], originCountries: ['CN'] },
    weight: 2,
    validFrom: '2025-01-01',
  });
  const change = { input: { reference: 'PCA-KILLED-1', revision: 1, weight: 1.5 } };

  it('keeps every write it acknowledged, and the retried change is answered as made, at the next revision', async () => {
    let risk = await start('risk', proxy.uri);
    await answered(risk, CREATE, { input: rule('PCA-KILLED-1') }, ANALYST);
    await answered(risk, CREATE, { input: rule('PCA-KILLED-2') }, ANALYST);

    risk = await killedMidWrite('risk', risk, ['insert', 'ruleRevisions'], CHANGE, change, ANALYST);

    const retried = await answered(risk, CHANGE, change, ANALYST);
    expect(retried.changeTargetingRule).toEqual({ reference: 'PCA-KILLED-1', revision: 2, weight: 1.5, changedBy: 'analyst-5' });
    const { targetingRules } = await answered(risk, `{ targetingRules { edges { node { reference revision weight } } } }`, {}, ANALYST);
    expect(targetingRules.edges.map(({ node }: Data) => node)).toEqual([
      { reference: 'PCA-KILLED-1', revision: 2, weight: 1.5 },
      { reference: 'PCA-KILLED-2', revision: 1, weight: 2 },
    ]);
  }, 60_000);
});
