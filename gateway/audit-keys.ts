// Which traders (EORIs) and declarations or filings (MRNs) one request touched, for the audit
// trail. Exact rather than guessed from field names: before execution every selection set of a
// keyed type gets its key field under a reserved alias (`__audit_eori: eori`), found with
// TypeInfo against the API schema; after execution those values are read and the aliases are
// removed, so the client gets exactly the answer it asked for. Arguments and variables add the
// keys a request asked for or wrote, whether or not anything came back.
import {
  GraphQLError,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';

export interface TouchedKeys {
  eoris: Set<string>;
  mrns: Set<string>;
}

export function noKeys(): TouchedKeys {
  return { eoris: new Set(), mrns: new Set() };
}

export const ALIAS_PREFIX = '__audit_';

type KeyKind = 'eori' | 'mrn' | 'controlResultId';

/** Each type whose objects are a trader's or a declaration's, and the scalar field that names it. */
const KEY_FIELDS: Record<string, { field: string; kind: KeyKind }> = {
  EconomicOperator: { field: 'eori', kind: 'eori' },
  Party: { field: 'eori', kind: 'eori' },
  PartnerOperator: { field: 'eori', kind: 'eori' },
  OperatorRiskProfile: { field: 'eori', kind: 'eori' },
  Declaration: { field: 'mrn', kind: 'mrn' },
  EntrySummaryDeclaration: { field: 'mrn', kind: 'mrn' },
  GoodsItem: { field: 'mrn', kind: 'mrn' },
  RiskAssessment: { field: 'mrn', kind: 'mrn' },
  Change: { field: 'mrn', kind: 'mrn' },
  // "<MRN>/<item>/<control type>": its declaration's MRN without asking for the declaration.
  ControlResult: { field: 'id', kind: 'controlResultId' },
};

const ALIASES: Record<KeyKind, string> = { eori: `${ALIAS_PREFIX}eori`, mrn: `${ALIAS_PREFIX}mrn`, controlResultId: `${ALIAS_PREFIX}control` };
const KIND_OF_ALIAS = new Map(Object.entries(ALIASES).map(([kind, alias]) => [alias, kind as KeyKind]));

/** Argument and input field names whose text values are EORIs, or MRNs, wherever they appear. */
const EORI_NAMES = new Set(['eori', 'eoris', 'holder', 'importer', 'declarant', 'representative', 'importerEori', 'partyEoris', 'operators']);
const MRN_NAMES = new Set(['mrn', 'mrns']);
/** Enough for any real page; a longer list is cut, so one entry stays a small document. */
const MAX_KEYS = 5_000;

/** Rewritten documents by query hash: the authorisation rewrite makes a new document per request, with the hash of its text. */
const withKeys = new WeakMap<GraphQLSchema, Map<string, DocumentNode>>();
const MAX_CACHED_DOCUMENTS = 1_000;

/** The document with every keyed type's key field added under a reserved alias; made once per distinct query text. */
export function withKeyFields(document: DocumentNode, schema: GraphQLSchema, queryHash: string | undefined): DocumentNode {
  if (queryHash === undefined) return addKeyFields(document, schema);
  let cache = withKeys.get(schema);
  if (!cache) withKeys.set(schema, (cache = new Map()));
  let rewritten = cache.get(queryHash);
  if (!rewritten) {
    rewritten = addKeyFields(document, schema);
    // The oldest goes first: a Map keeps insertion order.
    if (cache.size >= MAX_CACHED_DOCUMENTS) cache.delete(cache.keys().next().value!);
    cache.set(queryHash, rewritten);
  }
  return rewritten;
}

function addKeyFields(document: DocumentNode, schema: GraphQLSchema): DocumentNode {
  refuseReservedAliases(document);
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet(node): SelectionSetNode | undefined {
        const type = typeInfo.getParentType();
        const key = type ? KEY_FIELDS[type.name] : undefined;
        if (!key || !isObjectType(type) || !(key.field in type.getFields())) return undefined;
        const field: FieldNode = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: ALIASES[key.kind] }, name: { kind: Kind.NAME, value: key.field } };
        return { ...node, selections: [...node.selections, field] };
      },
    }),
  );
}

/** A client's own `__audit_` alias would plant values in the trail; it is refused instead. */
function refuseReservedAliases(document: DocumentNode): void {
  visit(document, {
    Field(node) {
      if (node.alias?.value.startsWith(ALIAS_PREFIX))
        throw new GraphQLError(`Aliases starting with ${ALIAS_PREFIX} are reserved for the audit trail; ${node.alias.value} is one`, {
          nodes: node,
          extensions: { code: 'BAD_USER_INPUT', field: node.alias.value },
        });
    },
  });
}

/** Reads the key fields withKeyFields added out of an answer, and removes them from it. */
export function takeKeyFields(data: unknown, keys: TouchedKeys): void {
  if (Array.isArray(data)) {
    for (const item of data) takeKeyFields(item, keys);
    return;
  }
  if (!data || typeof data !== 'object') return;
  const object = data as Record<string, unknown>;
  for (const [name, value] of Object.entries(object)) {
    const kind = KIND_OF_ALIAS.get(name);
    if (kind) {
      delete object[name];
      if (typeof value !== 'string') continue;
      if (kind === 'eori') add(keys.eoris, value);
      else add(keys.mrns, kind === 'mrn' ? value : value.split('/')[0]!);
    } else if (value && typeof value === 'object') takeKeyFields(value, keys);
  }
}

/** The EORIs and MRNs an operation's arguments name, inline or in variables, at any depth. */
export function argumentKeys(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, keys: TouchedKeys): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const seen = new Set<string>();
  const walk = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          walk(fragment.selectionSet);
        }
        continue;
      }
      if (selection.kind === Kind.FIELD)
        for (const argument of selection.arguments ?? []) named(argument.name.value, valueFromASTUntyped(argument.value, variables), keys);
      if (selection.selectionSet) walk(selection.selectionSet);
    }
  };
  walk(operation.selectionSet);
}

function named(name: string, value: unknown, keys: TouchedKeys): void {
  if (Array.isArray(value)) {
    for (const item of value) named(name, item, keys);
  } else if (typeof value === 'string') {
    if (EORI_NAMES.has(name)) add(keys.eoris, value);
    else if (MRN_NAMES.has(name)) add(keys.mrns, value);
  } else if (value && typeof value === 'object') {
    for (const [field, inner] of Object.entries(value)) named(field, inner, keys);
  }
}

function add(set: Set<string>, key: string): void {
  // A key is an identifier: anything longer is not one, and would only bloat the entry.
  if (set.size < MAX_KEYS && key !== '' && key.length <= 64) set.add(key);
}

/** True for an operation that asks only for the schema (__schema, __type, __typename): nothing to audit. */
export function isIntrospectionOnly(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const onlyMeta = (selectionSet: SelectionSetNode, depth: number): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
      if (depth > 10) return false;
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
      return inner ? onlyMeta(inner, depth + 1) : false;
    });
  return onlyMeta(operation.selectionSet, 0);
}
