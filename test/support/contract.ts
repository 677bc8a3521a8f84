// The contract operations (schema/operations), and what the composed schema still lacks of them.
import { readFileSync, readdirSync } from 'node:fs';
import { buildSchema, parse, print, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema } from 'graphql';

const OPERATIONS_DIR = new URL('../../schema/operations/', import.meta.url);

export function contractOperation(name: string): string {
  return readFileSync(new URL(`${name}.graphql`, OPERATIONS_DIR), 'utf8');
}

export function contractOperationNames(): string[] {
  return readdirSync(OPERATIONS_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => file.replace(/\.graphql$/, ''))
    .sort();
}

export function apiSchema(): GraphQLSchema {
  return buildSchema(readFileSync(new URL('../../schema/api.graphql', import.meta.url), 'utf8'));
}

/** "Type.field" for every field the operation selects that the schema does not have. */
export function missingFields(operation: string, schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    parse(operation),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && !typeInfo.getFieldDef()) missing.push(`${parent.name}.${node.name.value}`);
      },
    }),
  );
  return missing;
}

/** The operation with the selections the schema does not have yet removed, to run the part that exists. */
export function pruneToSchema(operation: string, schema: GraphQLSchema): string {
  const typeInfo = new TypeInfo(schema);
  const pruned = visit(
    parse(operation),
    visitWithTypeInfo(typeInfo, {
      Field() {
        return typeInfo.getParentType() && !typeInfo.getFieldDef() ? null : undefined;
      },
    }),
  );
  return print(pruned);
}
