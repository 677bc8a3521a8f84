// Limits on what one request may ask for, checked before the gateway plans it: depth, aliases,
// directives, the length of every string argument, and a cost that counts the nodes a query
// could return (a list multiplies what is under it by its size). A request over a limit is
// refused whole with a code that names the limit; nothing of it reaches a subgraph.
//
// The lexer's token count is limited in parsing (parseOptions.maxTokens), the body size in
// kit/http.ts, and batched requests are off (Apollo Server's default).
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../subgraphs/kit/pagination';

export interface QueryLimits {
  /** Fields nested in fields: 152 levels were once accepted. */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of the document. */
  maxTokens: number;
  /**
   * Values the query could return, lists counted at their size (see below). The platform's own
   * heaviest operation, risk screening's page of 100 changes with their facts, counts about
   * 160,000; a tighter budget for other callers needs to know who calls (authentication).
   */
  maxCost: number;
  /** Characters of any one string argument, inline or in a variable: a 100,000-character prefix once kept the database busy for 50 minutes. */
  maxStringLength: number;
  /**
   * Fields, once every fragment is written out where it is spread: 16 fragments spreading the
   * next one twice are 800 characters and 65,536 fields, which the gateway would otherwise
   * expand (to remove what the caller may not have, and to audit it) at megabytes a request.
   */
  maxFields: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxDepth: 15,
  maxAliases: 30,
  maxDirectives: 20,
  maxTokens: 5_000,
  maxCost: 250_000,
  maxStringLength: 1_000,
  maxFields: 2_000,
};

/** A list without a `first` argument (a declaration's items, an authorisation's history) is counted at this size. */
export const UNPAGED_LIST_SIZE = 10;

const ENV_NAMES: Record<keyof QueryLimits, string> = {
  maxDepth: 'GRAPHQL_MAX_DEPTH',
  maxAliases: 'GRAPHQL_MAX_ALIASES',
  maxDirectives: 'GRAPHQL_MAX_DIRECTIVES',
  maxTokens: 'GRAPHQL_MAX_TOKENS',
  maxCost: 'GRAPHQL_MAX_COST',
  maxStringLength: 'GRAPHQL_MAX_STRING_LENGTH',
  maxFields: 'GRAPHQL_MAX_FIELDS',
};

export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): QueryLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, name] of Object.entries(ENV_NAMES) as [keyof QueryLimits, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number above 0, not "${raw}"`);
    limits[key] = value;
  }
  return limits;
}

interface Tally {
  depth: number;
  aliases: number;
  directives: number;
  cost: number;
  fields: number;
}

/** Refuses an operation over any limit, once its variables are known and before it is planned. */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) return;
          const fragments = new Map(
            document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
          );
          const variables = request.variables ?? {};
          checkStrings(variables, limits.maxStringLength, []);
          const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
          if (!root) return;
          const tally: Tally = { depth: 0, aliases: 0, directives: operation.directives?.length ?? 0, cost: 0, fields: 0 };
          walk({ schema, fragments, variables, limits, tally }, operation.selectionSet, root, 1, 1, UNPAGED_LIST_SIZE);
        },
      };
    },
  };
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  limits: QueryLimits;
  tally: Tally;
}

/**
 * Counts a selection set. `multiplier` is how many times it can occur (the product of the lists
 * above it); `listSize` is the size of a list field directly in it: a connection's `first`, or
 * UNPAGED_LIST_SIZE.
 */
function walk(state: Walk, selectionSet: SelectionSetNode, type: GraphQLNamedType, depth: number, multiplier: number, listSize: number): void {
  const { tally, limits } = state;
  if (depth > limits.maxDepth) refuse('QUERY_TOO_DEEP', `The query nests fields ${depth} deep; at most ${limits.maxDepth} are allowed`);
  tally.depth = Math.max(tally.depth, depth);
  for (const selection of selectionSet.selections) {
    tally.directives += selection.directives?.length ?? 0;
    if (tally.directives > limits.maxDirectives) refuse('TOO_MANY_DIRECTIVES', `The query uses more than ${limits.maxDirectives} directives`);
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = state.fragments.get(selection.name.value);
      if (fragment) walk(state, fragment.selectionSet, typeOf(state.schema, fragment.typeCondition.name.value) ?? type, depth, multiplier, listSize);
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition ? (typeOf(state.schema, selection.typeCondition.name.value) ?? type) : type;
      walk(state, selection.selectionSet, on, depth, multiplier, listSize);
      continue;
    }
    tally.fields += 1;
    if (tally.fields > limits.maxFields)
      refuse('QUERY_TOO_LARGE', `The query asks for more than ${limits.maxFields} fields once its fragments are written out where they are spread`);
    if (selection.alias) {
      tally.aliases += 1;
      if (tally.aliases > limits.maxAliases) refuse('TOO_MANY_ALIASES', `The query uses more than ${limits.maxAliases} aliases`);
    }
    for (const argument of selection.arguments ?? [])
      checkStrings(valueFromASTUntyped(argument.value, state.variables), limits.maxStringLength, [selection.name.value, argument.name.value]);

    const field = fieldOf(type, selection.name.value);
    const returned = field ? getNullableType(field.type) : undefined;
    const times = returned && isListType(returned) ? multiplier * listSize : multiplier;
    tally.cost += times;
    if (tally.cost > limits.maxCost) {
      refuse(
        'QUERY_TOO_COSTLY',
        `The query could return more than ${limits.maxCost} values (lists counted at their page size); ask for smaller pages or fewer nested lists`,
      );
    }
    if (!selection.selectionSet || !field) continue;
    // A connection's `first` sizes the lists directly under it (edges, nodes).
    const first = field.args.some((arg) => arg.name === 'first') ? pageSizeOf(selection.arguments ?? [], state.variables) : UNPAGED_LIST_SIZE;
    walk(state, selection.selectionSet, getNamedType(field.type), depth + 1, times, first);
  }
}

function fieldOf(type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

function typeOf(schema: GraphQLSchema, name: string): GraphQLNamedType | undefined {
  return schema.getType(name) ?? undefined;
}

function pageSizeOf(args: readonly { name: { value: string }; value: ValueNode }[], variables: Record<string, unknown>): number {
  const given = args.find((arg) => arg.name.value === 'first');
  const value = given ? valueFromASTUntyped(given.value, variables) : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(Math.max(value, 0), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
}

function checkStrings(value: unknown, max: number, path: (string | number)[]): void {
  if (typeof value === 'string') {
    if (value.length > max)
      refuse('STRING_TOO_LONG', `${path.join('.') || 'A variable'} holds ${value.length} characters; at most ${max} are allowed`, path.join('.'));
    return;
  }
  if (Array.isArray(value)) value.forEach((item, index) => checkStrings(item, max, [...path, index]));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) checkStrings(item, max, [...path, key]);
}

function refuse(code: string, message: string, field?: string): never {
  throw new GraphQLError(message, { extensions: { code, ...(field && { field }), http: { status: 400 } } });
}
