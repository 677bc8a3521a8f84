// ARCHITECTURE: "a field resolved by another subgraph is nullable", so that when that subgraph is
// down the gateway can null the field alone, not the object around it and everything above.
import { readFileSync } from 'node:fs';
import { Kind, parse, type FieldDefinitionNode, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode, type TypeNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '../../subgraphs/registry';

type ObjectType = ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
interface Contribution {
  subgraph: string;
  type: ObjectType;
}

const byType = new Map<string, Contribution[]>();
for (const { name } of SUBGRAPHS) {
  const document = parse(readFileSync(new URL(`../../subgraphs/${name}/schema.graphql`, import.meta.url), 'utf8'));
  for (const definition of document.definitions)
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION)
      byType.set(definition.name.value, [...(byType.get(definition.name.value) ?? []), { subgraph: name, type: definition }]);
}

const hasDirective = (node: ObjectType | FieldDefinitionNode, name: string) => node.directives?.some((directive) => directive.name.value === name) ?? false;
const ownFields = (type: ObjectType) => (type.fields ?? []).filter((field) => !hasDirective(field, 'external'));
const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));
const keyFields = (type: ObjectType) =>
  new Set(
    (type.directives ?? [])
      .filter((directive) => directive.name.value === 'key')
      .flatMap((directive) => {
        const fields = directive.arguments?.find((argument) => argument.name.value === 'fields')?.value;
        return fields?.kind === Kind.STRING ? fields.value.split(/\s+/) : [];
      }),
  );

/** An entity's owner: the subgraph that resolves most of its fields. The others add to it, or only reference it. */
const owners = new Map(
  [...byType]
    .filter(([, contributions]) => contributions.some(({ type }) => hasDirective(type, 'key')))
    .map(([name, contributions]) => [name, [...contributions].sort((a, b) => ownFields(b.type).length - ownFields(a.type).length)[0]!.subgraph]),
);

function nonNullAcrossBoundaries(which: 'additions' | 'references'): string[] {
  return [...byType].flatMap(([typeName, contributions]) =>
    contributions.flatMap(({ subgraph, type }) =>
      ownFields(type)
        .filter((field) => field.type.kind === Kind.NON_NULL_TYPE && !keyFields(type).has(field.name.value))
        .filter((field) => {
          if (which === 'additions') return owners.has(typeName) && owners.get(typeName) !== subgraph;
          const target = owners.get(namedType(field.type));
          return target !== undefined && target !== subgraph;
        })
        .map((field) => `${subgraph}: ${typeName}.${field.name.value}`),
    ),
  );
}

describe('fields across subgraph boundaries', () => {
  it("are nullable where a subgraph adds them to another subgraph's entity", () => {
    expect(nonNullAcrossBoundaries('additions')).toEqual([]);
  });

  it("are nullable where they reference another subgraph's entity", () => {
    expect(nonNullAcrossBoundaries('references')).toEqual([]);
  });

  it('are found at all: the rule sees the additions it guards', () => {
    expect(owners.get('GoodsItem')).toBe('declarations');
    expect(byType.get('GoodsItem')?.map(({ subgraph }) => subgraph)).toContain('licences');
  });
});
