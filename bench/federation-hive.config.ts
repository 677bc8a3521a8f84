// Hive Gateway's configuration in bench/federation.ts (hive-gateway supergraph <file> -c <this>).
// The subgraphs answer only requests signed by the platform's gateway: the benchmark signs one
// for its caller (subgraphs/kit/auth/tokens.ts) and sends it to Hive Gateway, which passes it on
// to every subgraph it asks. Hive Gateway checks no token itself; everything else is its default.
// Written without Hive's defineConfig: importing its types would add their augmentation of
// graphql's error extensions to the whole program.

interface PropagationInput {
  request: { headers: { get(name: string): string | null } };
}

export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }: PropagationInput) => ({ authorization: request.headers.get('authorization') ?? '' }),
  },
};
