// Reads the contract operations (schema/operations/*.graphql) at build time and turns each
// into a ready-made explorer example. Node-only: the browser gets the result as a generated
// module (see build.ts), so app.tsx imports nothing but the type from here.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Kind, parse, type TypeNode } from 'graphql';

export interface ContractOperation {
  /** Operation name, e.g. "Trader360" (also the tab title GraphiQL derives). */
  name: string;
  /** The file's leading `#` comment, as a one-line summary. */
  description: string;
  /** The operation text exactly as in the contract file. */
  query: string;
  /** Pretty-printed JSON with a placeholder for each required variable. */
  variables: string;
}

// The order the README lists them in; files added later follow alphabetically.
const PREFERRED_ORDER = ['Trader360', 'DeclarationCheck', 'ConsignmentScreen', 'DeclarationRisk', 'ControlQueue'];

// Placeholders in the real identifier formats, so an auditor only swaps the value.
const SAMPLE_VALUES: Record<string, unknown> = {
  eori: 'DE123456789012',
  mrn: '24DE000000000000A1',
  first: 10,
};

function sampleFor(name: string, type: TypeNode): unknown {
  if (name in SAMPLE_VALUES) return SAMPLE_VALUES[name];
  const named = type.kind === Kind.NON_NULL_TYPE ? type.type : type;
  if (named.kind === Kind.LIST_TYPE) return [];
  switch (named.name.value) {
    case 'Int':
    case 'Float':
      return 10;
    case 'Boolean':
      return false;
    default:
      return '';
  }
}

function leadingComment(source: string): string {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    const match = /^\s*#\s?(.*)$/.exec(line);
    if (!match) break;
    lines.push(match[1] ?? '');
  }
  return lines.join(' ').trim();
}

function rank(name: string): number {
  const index = PREFERRED_ORDER.indexOf(name);
  return index === -1 ? PREFERRED_ORDER.length : index;
}

export function readContractOperations(dir: string): ContractOperation[] {
  const files = readdirSync(dir).filter((file) => file.endsWith('.graphql'));
  const operations = files.map((file): ContractOperation => {
    const query = readFileSync(join(dir, file), 'utf8').trimEnd() + '\n';
    // Parsing here makes a broken contract file fail the build instead of the auditor's session.
    const document = parse(query);
    const definition = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (!definition || definition.kind !== Kind.OPERATION_DEFINITION) {
      throw new Error(`${file}: no operation definition`);
    }
    const variables: Record<string, unknown> = {};
    for (const variable of definition.variableDefinitions ?? []) {
      const name = variable.variable.name.value;
      // Optional variables stay out so the example runs with the server's defaults.
      if (variable.type.kind !== Kind.NON_NULL_TYPE || variable.defaultValue) continue;
      variables[name] = sampleFor(name, variable.type);
    }
    return {
      name: definition.name?.value ?? basename(file, '.graphql'),
      description: leadingComment(query),
      query,
      variables: JSON.stringify(variables, null, 2),
    };
  });
  return operations.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}
