// The audit trail, as the gateway writes it: every GraphQL request (but schema introspection)
// becomes one entry of who asked (the verified caller), when, which operation (its name and the
// SHA-256 of its text), the EORIs and MRNs it asked for, was answered with or wrote
// (audit-keys.ts), and how it ended: OK, or the codes of its errors, refusals included. Entries
// go to the audit subgraph through a buffer (audit-recorder.ts), never slowing an answer down
// unless the buffer is full.
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type OperationTypeNode } from 'graphql';
import { GATEWAY_IDENTITY } from '../subgraphs/kit/auth/gateway-identity';
import { AUDIT_AUDIENCE, signGatewayToken } from '../subgraphs/kit/auth/tokens';
import type { GatewayExecutor, GatewayInterface } from './authorization';
import type { CryptoKey } from 'jose';
import { argumentKeys, isIntrospectionOnly, noKeys, takeKeyFields, withKeyFields, type TouchedKeys } from './audit-keys';
import type { AuditEntry } from '../subgraphs/kit/audit-entry';
import { createAuditRecorder, type AuditRecorder } from './audit-recorder';
import type { GatewayContext } from './server';

export { createAuditRecorder, type AuditRecorder } from './audit-recorder';

/** The keys each request's answer held, from the executor to the plugin; keyed by the request's context. */
const answeredKeys = new WeakMap<object, TouchedKeys>();

/**
 * The gateway, with the key fields of every keyed type added to each operation before it is
 * planned, and read out of (and removed from) the answer after it is executed.
 */
export function auditedGateway(gateway: GatewayInterface): GatewayInterface {
  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    async load(options) {
      const { executor } = await gateway.load(options);
      if (!executor) return { executor };
      const audited: GatewayExecutor = async (requestContext) => {
        let document;
        try {
          document = withKeyFields(requestContext.document, requestContext.schema, requestContext.queryHash);
        } catch (error) {
          if (error instanceof GraphQLError) return { errors: [error] };
          throw error;
        }
        const result = await executor({ ...requestContext, document });
        const keys = noKeys();
        takeKeyFields(result.data, keys);
        answeredKeys.set(requestContext.context, keys);
        return result;
      };
      return { executor: audited };
    },
  };
}

const OPERATION_TYPES: Record<OperationTypeNode, AuditEntry['operationType']> = { query: 'QUERY', mutation: 'MUTATION', subscription: 'SUBSCRIPTION' };

/** One entry per request, recorded before the answer is sent. */
export function auditPlugin(recorder: AuditRecorder): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const at = new Date().toISOString();
      return {
        async willSendResponse({ contextValue, request, response, document, operation, queryHash }) {
          if (document && operation && isIntrospectionOnly(document, operation)) return;
          const keys = answeredKeys.get(contextValue) ?? noKeys();
          if (document && operation) argumentKeys(document, operation, request.variables ?? {}, keys);
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const errorCodes = [...new Set(errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          const { caller } = contextValue;
          await recorder.record({
            at,
            subject: caller.id,
            role: caller.role ?? null,
            memberState: caller.memberState ?? null,
            licenceType: caller.licenceType ?? null,
            programme: caller.programme ?? null,
            // GraphQL names have no length limit; the trail keeps 200 characters of one, as it keeps every entry.
            operationName: (operation?.name?.value ?? request.operationName)?.slice(0, 200) || null,
            operationType: operation ? OPERATION_TYPES[operation.operation] : null,
            // Apollo Server's queryHash is the SHA-256 of the query text; a request that never got that far is hashed here.
            documentHash:
              queryHash ??
              createHash('sha256')
                .update(request.query ?? '')
                .digest('hex'),
            eoris: [...keys.eoris],
            mrns: [...keys.mrns],
            outcome: errorCodes.length === 0 ? 'OK' : 'ERROR',
            errorCodes,
          });
        },
      };
    },
  };
}

/** The recorder a gateway uses by default: batches to the audit subgraph's POST /audit, signed as the gateway itself. */
export function auditSubgraphRecorder(auditGraphqlUrl: string, signingKey: CryptoKey): AuditRecorder {
  let token: { value: Promise<string>; renewAt: number } | undefined;
  return createAuditRecorder({
    url: new URL('/audit', auditGraphqlUrl).toString(),
    // Gateway tokens last a minute: a fresh one every 30 seconds.
    token: () => {
      if (!token || Date.now() >= token.renewAt)
        token = { value: signGatewayToken(GATEWAY_IDENTITY, signingKey, AUDIT_AUDIENCE), renewAt: Date.now() + 30_000 };
      return token.value;
    },
  });
}
