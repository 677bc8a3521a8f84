// When a subgraph cannot answer, the gateway still answers with everything else. This module
// turns one failed subgraph fetch into one error per field it would have filled, with paths as
// the subgraph itself would have given them: the gateway's executor maps `_entities` paths onto
// the client's response, so each error lands on the field that is now null.
import {
  getDirectiveValues,
  getOperationAST,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLFormattedError,
  type InlineFragmentNode,
  type OperationTypeNode,
  type SelectionSetNode,
} from 'graphql';

export interface SubgraphFailure {
  /** SUBGRAPH_UNAVAILABLE, SUBGRAPH_TIMEOUT or SUBGRAPH_ERROR (subgraphs/kit/errors.ts). */
  code: string;
  /** Why, in a few words a caller can act on: "connection refused", "no answer within 5000 ms". */
  reason: string;
}

/** More paths than this for one fetch end in one error that counts the rest: an answer stays readable. */
export const MAX_ERRORS_PER_FETCH = 100;

const DESCRIPTIONS: Record<string, string> = {
  SUBGRAPH_UNAVAILABLE: 'is unavailable',
  SUBGRAPH_TIMEOUT: 'did not answer in time',
  SUBGRAPH_ERROR: 'failed',
};

/** The errors a fetch's answer carries when `subgraph` failed it: one per field the fetch would have filled. */
export function missingFieldErrors(
  subgraph: string,
  query: string,
  variables: Record<string, unknown> | undefined,
  failure: SubgraphFailure,
): GraphQLFormattedError[] {
  const message = `The ${subgraph} subgraph ${DESCRIPTIONS[failure.code] ?? 'failed'} (${failure.reason}); what it provides is missing from this answer`;
  const extensions = { code: failure.code, subgraph, reason: failure.reason };
  const paths = fieldPaths(query, variables);
  if (paths.length === 0) return [{ message, extensions }];
  const shown = paths.slice(0, MAX_ERRORS_PER_FETCH).map((path) => ({ message, path, extensions }));
  const more = paths.length - shown.length;
  return more > 0 ? [...shown, { message: `${message}: ${more} more fields are missing`, extensions }] : shown;
}

/** Paths of the fields a fetch selects: [field] for a root fetch, ['_entities', i, field] for each representation. */
export function fieldPaths(query: string, variables: Record<string, unknown> | undefined): (string | number)[][] {
  const document = parsed(query);
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return [];
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const selected = selectedWith(variables ?? {});
  const rootFields = responseKeys(operation.selectionSet, undefined, fragments, selected);
  const representations = variables?.representations;
  const entities = operation.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD && selection.name.value === '_entities');
  if (!entities || entities.kind !== Kind.FIELD || !entities.selectionSet || !Array.isArray(representations)) return rootFields.map((key) => [key]);

  const selection = entities.selectionSet;
  const keysByType = new Map<string | undefined, string[]>();
  return representations.flatMap((representation: unknown, index) => {
    const typename = (representation as { __typename?: unknown } | null)?.__typename;
    const type = typeof typename === 'string' ? typename : undefined;
    let keys = keysByType.get(type);
    if (!keys) keysByType.set(type, (keys = responseKeys(selection, type, fragments, selected)));
    return keys.map((key) => ['_entities', index, key]);
  });
}

/** The response keys a selection set yields for an object of `typename` (every type when undefined), __typename aside. */
function responseKeys(
  selectionSet: SelectionSetNode,
  typename: string | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  selected: (node: FieldNode | InlineFragmentNode | FragmentSpreadNode) => boolean,
): string[] {
  const keys = new Set<string>();
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (!selected(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        if (key !== '__typename') keys.add(key);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        if (!condition || !typename || condition === typename) visit(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && (!typename || fragment.typeCondition.name.value === typename)) visit(fragment.selectionSet);
      }
    }
  };
  visit(selectionSet);
  return [...keys];
}

/** Whether @skip and @include, with these variables, keep a selection: only fields the client asked for go missing. */
function selectedWith(variables: Record<string, unknown>) {
  return (node: FieldNode | InlineFragmentNode | FragmentSpreadNode) =>
    getDirectiveValues(GraphQLSkipDirective, node, variables)?.if !== true && getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/** query, mutation or subscription: what the fetch's document says, not a guess from its first word. */
export function operationTypeOf(query: string): OperationTypeNode | undefined {
  return getOperationAST(parsed(query))?.operation;
}

/** Query plans are cached, so the same few fetch operations come back again and again. */
const documents = new Map<string, DocumentNode>();
const MAX_DOCUMENTS = 500;

function parsed(query: string): DocumentNode {
  let document = documents.get(query);
  if (!document) {
    document = parse(query);
    if (documents.size >= MAX_DOCUMENTS) documents.delete(documents.keys().next().value!);
    documents.set(query, document);
  }
  return document;
}
