// What an operation costs in subgraph requests does not grow with what it returns: one fetch per
// step of its query plan, whether the answer holds one declaration or twenty, one item or five.
// Counted by each subgraph itself (GET /metrics), through the gateway over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSchema, contractOperation, pruneToSchema } from '../support/contract';
import { chedLicence, declaration, mrn } from '../support/fixtures';
import { startPlatform, type Platform } from '../support/platform';

let platform: Platform;
type Data = Record<string, any>;
const operation = (name: string) => pruneToSchema(contractOperation(name), apiSchema());
const LODGE = `mutation ($input: LodgeDeclarationInput!) { lodgeDeclaration(input: $input) { mrn } }`;

/** A declaration of `importer` with `items` goods items, each quoting the same CHED. */
async function lodge(serial: number, importer: string, items = 1): Promise<string> {
  const { kind: _kind, ...input } = declaration(serial, { importer: { eori: importer, name: importer } });
  const item = input.items[0]!;
  const { errors } = await platform.query(LODGE, {
    input: {
      ...input,
      items: Array.from({ length: items }, (_, index) => ({
        ...item,
        itemNumber: index + 1,
        commodityCode: '03021100',
        supportingDocuments: [{ type: 'N853', reference: chedLicence(1).reference }],
        containers: [],
      })),
    },
  });
  expect(errors).toBeUndefined();
  return mrn(serial);
}

/** GraphQL requests each subgraph answered while `send` ran. */
async function requestsDuring(send: () => Promise<unknown>): Promise<Record<string, number>> {
  const read = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.entries(platform.subgraphUrls).map(async ([name, url]) => {
          const text = await (await fetch(new URL('/metrics', url))).text();
          return [name, Number(/^graphql_requests_total\{[^}]*\} (\d+)$/m.exec(text)?.[1])] as const;
        }),
      ),
    );
  const before = await read();
  await send();
  const after = await read();
  return Object.fromEntries(Object.keys(after).map((name) => [name, after[name]! - before[name]!]));
}

let one: string;
let five: string;

beforeAll(async () => {
  platform = await startPlatform();
  for (const [eori, name] of [
    ['NL100000001', 'Importer One B.V.'],
    ['NL100000002', 'Importer Two B.V.'],
  ])
    await platform.aeo.models.operators.create({ _id: eori, name, country: 'NL', aeoTags: [] });
  expect(
    (await platform.query(`mutation ($input: IssueLicenceInput!) { issueLicence(input: $input) { reference } }`, { input: chedLicence(1) })).errors,
  ).toBeUndefined();
  one = await lodge(1, 'NL100000002', 1);
  five = await lodge(2, 'NL100000001', 5);
  for (let serial = 3; serial <= 21; serial++) await lodge(serial, 'NL100000001');
}, 120_000);

afterAll(() => platform.stop());

describe('subgraph requests per operation', () => {
  it('are the same for Trader360 of an operator with 1 declaration and one with 20', async () => {
    const few = await requestsDuring(() => platform.query(operation('Trader360'), { eori: 'NL100000002' }));
    const many = await requestsDuring(() => platform.query(operation('Trader360'), { eori: 'NL100000001' }));
    expect(few.declarations).toBeGreaterThan(0);
    expect(many).toEqual(few);
  });

  it('are the same for DeclarationCheck of a declaration with 1 item and one with 5', async () => {
    const few = await requestsDuring(() => platform.query(operation('DeclarationCheck'), { mrn: one }));
    const many = await requestsDuring(() => platform.query(operation('DeclarationCheck'), { mrn: five }));
    expect(few.licences).toBe(1);
    expect(many).toEqual(few);
  });

  it('are the same for a page of 1 declaration and a page of 20, with importers and licence checks', async () => {
    const page = `query ($importer: ID!) { declarations(filter: { importer: $importer }, first: 20) {
      edges { node { mrn importer { name aeoAuthorisations { status } } items { licenceChecks { outcome } } } } } }`;
    const few = await requestsDuring(() => platform.query(page, { importer: 'NL100000002' }));
    const many = await requestsDuring(() => platform.query(page, { importer: 'NL100000001' }));
    expect(many).toEqual(few);
  });
});

describe('entities that appear many times in one answer', () => {
  it('are filled in everywhere they appear, though sent to their subgraph once per fetch', async () => {
    const { data, errors } = await platform.query<Data>(
      `{ declarations(filter: { importer: "NL100000001" }, first: 20) { edges { node { importer { eori name } } } } }`,
    );
    expect(errors).toBeUndefined();
    const importers = data?.declarations.edges.map((edge: Data) => edge.node.importer);
    expect(importers).toHaveLength(20);
    expect(new Set(importers.map((importer: Data) => `${importer.eori} ${importer.name}`))).toEqual(new Set(['NL100000001 Importer One B.V.']));
  });
});
