// The gateway sends each distinct entity once per fetch, and spreads the answer back (entity-dedupe.ts).
import { describe, expect, it } from 'vitest';
import { dedupeEntities } from '../../gateway/entity-dedupe';

const operator = (eori: string) => ({ __typename: 'EconomicOperator', eori });

describe('representations sent to a subgraph', () => {
  it('go once each, in the order first asked', () => {
    const deduped = dedupeEntities({ representations: [operator('A'), operator('B'), operator('A'), operator('A')], extra: 1 });
    expect(deduped?.variables).toEqual({ representations: [operator('A'), operator('B')], extra: 1 });
  });

  it('are left as they are when none repeats', () => {
    expect(dedupeEntities({ representations: [operator('A'), operator('B')] })).toBeUndefined();
    expect(dedupeEntities({ mrn: 'X' })).toBeUndefined();
  });

  it('get their answer back at every place that asked, errors included', () => {
    const deduped = dedupeEntities({ representations: [operator('A'), operator('B'), operator('A')] })!;
    const answer = deduped.expand({
      data: { _entities: [{ name: 'Alpha' }, null] },
      errors: [
        { message: 'no B', path: ['_entities', 1, 'name'] },
        { message: 'A is partly hidden', path: ['_entities', 0, 'licences'] },
        { message: 'not about an entity' },
      ],
    });
    expect(answer.data).toEqual({ _entities: [{ name: 'Alpha' }, null, { name: 'Alpha' }] });
    expect(answer.errors?.map((error) => [error.message, error.path])).toEqual([
      ['no B', ['_entities', 1, 'name']],
      ['A is partly hidden', ['_entities', 0, 'licences']],
      ['A is partly hidden', ['_entities', 2, 'licences']],
      ['not about an entity', undefined],
    ]);
  });
});
