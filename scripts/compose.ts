// Composes the subgraph SDL files into the supergraph the gateway loads and the API schema
// clients see. Both are committed, so a subgraph change shows up as a diff. Run: npm run compose
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse, printSchema } from 'graphql';
import { API_SCHEMA_PATH, SUPERGRAPH_PATH } from '../gateway/supergraph';
import { SUBGRAPHS, type SubgraphEntry } from '../subgraphs/registry';

export { API_SCHEMA_PATH, SUPERGRAPH_PATH };

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Composition hints we have read and accept, by code and message fragment, with the reason.
 * Any other hint fails `npm run compose` and the schema test.
 */
export const ACCEPTED_HINTS: readonly { code: string; includes: string; why: string }[] = [];

export interface Composition {
  supergraphSdl: string;
  apiSdl: string;
  /** Hints nobody accepted yet, as "CODE: message". */
  unacceptedHints: string[];
}

/** URLs in the supergraph are the local defaults; the gateway overrides them from the environment. */
function localUrl(entry: SubgraphEntry): string {
  return `http://127.0.0.1:${entry.defaultPort}/graphql`;
}

export function composeSupergraph(): Composition {
  const services = SUBGRAPHS.map((entry) => ({
    name: entry.name,
    url: localUrl(entry),
    typeDefs: parse(readFileSync(join(ROOT, 'subgraphs', entry.name, 'schema.graphql'), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  }
  const unacceptedHints = result.hints
    .filter((hint) => !ACCEPTED_HINTS.some((accepted) => accepted.code === hint.definition.code && hint.message.includes(accepted.includes)))
    .map((hint) => `${hint.definition.code}: ${hint.message}`);
  const apiSdl = printSchema(result.schema.toAPISchema().toGraphQLJSSchema());
  const header = '# Composed by `npm run compose` from subgraphs/*/schema.graphql: do not edit.\n';
  return { supergraphSdl: header + result.supergraphSdl + '\n', apiSdl: header + apiSdl + '\n', unacceptedHints };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { supergraphSdl, apiSdl, unacceptedHints } = composeSupergraph();
    writeFileSync(SUPERGRAPH_PATH, supergraphSdl);
    writeFileSync(API_SCHEMA_PATH, apiSdl);
    console.log(`Wrote ${SUPERGRAPH_PATH} and ${API_SCHEMA_PATH} from ${SUBGRAPHS.length} subgraphs.`);
    if (unacceptedHints.length) {
      console.error(`Composition hints to fix or accept in scripts/compose.ts:\n${unacceptedHints.map((hint) => `- ${hint}`).join('\n')}`);
      process.exit(1);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
