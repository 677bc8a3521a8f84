// The declarations subgraph's change feed: what risk screening and learning follow instead of
// scanning whole collections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeclarationsStore } from '../../subgraphs/declarations/context';
import type { DeclarationsRecord } from '../../subgraphs/declarations/records';
import { declarationsSubgraph } from '../../subgraphs/declarations/subgraph';
import { ABANDONED_AFTER_MS, CHANGES_PER_CHUNK, ChangeFeed } from '../../subgraphs/kit/change-feed';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/kit/server';
import { controlResult, declaration, entrySummary, mrn } from '../support/fixtures';
import { postToSubgraph, testDatabase } from '../support/platform';
import { testTrust } from '../support/auth';

let declarations: RunningSubgraph<DeclarationsStore>;
const write = (...records: DeclarationsRecord[]) => declarations.models.writer.write(records);

interface ChangesData {
  changes: {
    edges: { cursor: string; node: { sequence: number; kind: string; mrn: string; controlResultId: string | null } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
const CHANGES = `query ($after: String, $first: Int) { changes(after: $after, first: $first) {
  edges { cursor node { sequence kind mrn controlResultId } } pageInfo { hasNextPage endCursor } } }`;

/** Commits a number a test took by hand, as if its batch had been written empty. */
async function commitEmpty(sequence: number) {
  const [doc] = declarations.models.changeFeed.committed(sequence, []);
  await declarations.models.changeFeed.model.replaceOne({ _id: doc._id }, doc);
}

async function changes(after?: string | null, first = 100) {
  const response = await postToSubgraph<ChangesData>(declarations.url, CHANGES, { after, first });
  expect(response.errors).toBeUndefined();
  return response.data!.changes;
}

beforeAll(async () => {
  declarations = await startSubgraph(declarationsSubgraph, { port: 0, database: testDatabase('declarations'), trust: testTrust });
});

afterAll(async () => {
  await declarations.database.connection.dropDatabase();
  await declarations.stop();
});

describe('the change feed', () => {
  it('announces each stored declaration, filing and control result, in write order', async () => {
    await write(declaration(1), declaration(2));
    await write(entrySummary(3));
    await write(controlResult(1));
    const page = await changes();
    expect(page.edges.map(({ node }) => [node.kind, node.mrn])).toEqual([
      ['DECLARATION', mrn(1)],
      ['DECLARATION', mrn(2)],
      ['ENTRY_SUMMARY_DECLARATION', mrn(3, { year: '26' })],
      ['CONTROL_RESULT', mrn(1)],
    ]);
    expect(page.edges[0]!.node.sequence).toBe(page.edges[1]!.node.sequence);
    expect(page.edges[3]!.node.controlResultId).toMatch(new RegExp(`^${mrn(1)}/`));
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('announces nothing for a write that changes nothing, and a changed declaration again', async () => {
    const { pageInfo } = await changes();
    await write(declaration(1));
    expect((await changes(pageInfo.endCursor)).edges).toEqual([]);
    await write(declaration(1, { lrn: 'LRN-1-CHANGED' }));
    expect((await changes(pageInfo.endCursor)).edges.map(({ node }) => node.mrn)).toEqual([mrn(1)]);
  });

  it('resumes after any cursor it returned, even in the middle of a batch', async () => {
    const all = (await changes()).edges;
    const pages = [];
    let after: string | null = null;
    for (;;) {
      const page = await changes(after, 2);
      pages.push(...page.edges);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages.map(({ node }) => node)).toEqual(all.map(({ node }) => node));
  });

  it('gives concurrent writers distinct numbers', async () => {
    const feed = declarations.models.changeFeed;
    const others = [0, 1, 2, 3].map(() => new ChangeFeed(feed.model));
    const taken = await Promise.all(others.map((other) => other.take()));
    expect(new Set(taken).size).toBe(taken.length);
    // Leave them committed and empty, as if their batches had been written.
    for (const sequence of taken) {
      const [header] = feed.committed(sequence, []);
      await feed.model.replaceOne({ _id: header._id }, header);
    }
  });

  it('stops at a number taken but not yet committed, and passes it once it is abandoned', async () => {
    const feed = declarations.models.changeFeed;
    const { pageInfo } = await changes();
    const pending = await feed.take();
    await write(declaration(4));
    expect((await changes(pageInfo.endCursor)).edges).toEqual([]);

    const later = new ChangeFeed(feed.model, () => new Date(Date.now() + ABANDONED_AFTER_MS + 1000));
    const page = await later.read(pageInfo.endCursor, 10);
    expect(page.entries.map((entry) => entry.key)).toEqual([mrn(4)]);
    expect(pending).toBeLessThan(page.entries[0]!.sequence);
    await commitEmpty(pending);
  });

  it('waits at an abandoned number while the journal still holds a batch to replay, which may be its own', async () => {
    const feed = declarations.models.changeFeed;
    const { pageInfo } = await changes();
    const pending = await feed.take();
    await write(declaration(5));
    const journal = declarations.database.connection.collection<{ _id: string; createdAt: Date }>('writeJournal');
    await journal.insertOne({ _id: 'pending-batch', createdAt: new Date() });
    const later = new ChangeFeed(feed.model, () => new Date(Date.now() + ABANDONED_AFTER_MS + 1000));
    expect((await later.read(pageInfo.endCursor, 10)).entries).toEqual([]);
    await journal.deleteOne({ _id: 'pending-batch' });
    expect((await later.read(pageInfo.endCursor, 10)).entries.map((entry) => entry.key)).toEqual([mrn(5)]);
    await commitEmpty(pending);
  });

  it('moves its cursor on even when a filter matches nothing, and rejects an empty filter', async () => {
    const { pageInfo } = await changes();
    await write(declaration(6));
    const filtered = await postToSubgraph<ChangesData>(
      declarations.url,
      `query ($after: String) { changes(after: $after, kinds: [ENTRY_SUMMARY_DECLARATION]) { edges { node { mrn } } pageInfo { hasNextPage endCursor } } }`,
      { after: pageInfo.endCursor },
    );
    expect(filtered.data!.changes.edges).toEqual([]);
    expect(filtered.data!.changes.pageInfo.endCursor).not.toBe(pageInfo.endCursor);
    expect((await changes(filtered.data!.changes.pageInfo.endCursor)).edges).toEqual([]);
    const empty = await postToSubgraph(declarations.url, `{ changes(kinds: []) { edges { cursor } } }`);
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kinds' });
  });

  it('lets readers past a number whose batch failed before it was journalled, but not one the journal may hold', async () => {
    const feed = declarations.models.changeFeed;
    const { pageInfo } = await changes();
    const journal = declarations.database.connection.collection<{ _id: string; createdAt: Date }>('writeJournal');
    const failed = await feed.take();
    await write(declaration(7));
    await journal.insertOne({ _id: 'pending-batch', createdAt: new Date() });
    await feed.release(failed);
    expect((await changes(pageInfo.endCursor)).edges).toEqual([]);
    await journal.deleteOne({ _id: 'pending-batch' });
    await feed.release(failed);
    expect((await changes(pageInfo.endCursor)).edges.map(({ node }) => node.mrn)).toEqual([mrn(7)]);
  });

  it('rejects a cursor it did not make', async () => {
    const response = await postToSubgraph<ChangesData>(declarations.url, CHANGES, { after: 'not-a-cursor' });
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reads a batch larger than one chunk in order, across the chunk boundaries', async () => {
    const { pageInfo } = await changes();
    const count = CHANGES_PER_CHUNK * 2 + 50;
    await write(...Array.from({ length: count }, (_, i) => declaration(1_000 + i)));
    const read: string[] = [];
    let after = pageInfo.endCursor;
    for (;;) {
      const page = await changes(after, 100);
      read.push(...page.edges.map(({ node }) => node.mrn));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(read).toEqual(Array.from({ length: count }, (_, i) => mrn(1_000 + i)));
    const sequence = (await changes(pageInfo.endCursor, 1)).edges[0]!.node.sequence;
    const chunks = await declarations.models.changeFeed.model.collection.countDocuments({
      _id: { $in: [0, 1, 2, 3].map((chunk) => `seq:${String(sequence).padStart(12, '0')}/${chunk}`) as never[] },
    });
    expect(chunks).toBe(3);
  });
});

describe('declarations by MRN', () => {
  it('answers in the order asked, with null for an unknown MRN, and rejects an invalid one', async () => {
    const query = `query ($mrns: [ID!]!) { declarationsByMrn(mrns: $mrns) { mrn } }`;
    const answer = await postToSubgraph<{ declarationsByMrn: ({ mrn: string } | null)[] }>(declarations.url, query, { mrns: [mrn(2), mrn(99), mrn(1)] });
    expect(answer.data?.declarationsByMrn).toEqual([{ mrn: mrn(2) }, null, { mrn: mrn(1) }]);
    const invalid = await postToSubgraph(declarations.url, query, { mrns: [mrn(1), '25NL0000000000001X'] });
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mrns[1]' });
  });
});
