// The committed schema files and generated types must match the subgraph SDL they come from.
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen';
import { API_SCHEMA_PATH, composeSupergraph, SUPERGRAPH_PATH } from '../../scripts/compose';

describe('the composed schema', () => {
  const composition = composeSupergraph();

  it('composes without hints nobody has accepted', () => {
    expect(composition.unacceptedHints).toEqual([]);
  });

  it('is committed as composed (run npm run compose when this fails)', () => {
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(composition.supergraphSdl);
    expect(readFileSync(API_SCHEMA_PATH, 'utf8')).toBe(composition.apiSdl);
  });
});

describe('the generated resolver types', () => {
  it('are current (run npm run codegen when this fails)', async () => {
    const outputs = await generate({ ...config, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const { filename, content } of outputs) expect(readFileSync(filename, 'utf8'), filename).toBe(content);
  }, 60_000);
});
