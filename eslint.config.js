// One lint config for the whole code base: typescript-eslint's recommended rules, and zones that
// keep each part to its own imports (import-x/no-restricted-paths, as graphql-js does).
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const SUBGRAPHS = ['aeo', 'declarations', 'licences', 'mra', 'risk', 'audit'];

/** A subgraph imports itself, the kit and the registry: nothing of another subgraph, nor of the tools around them. */
const subgraphZones = SUBGRAPHS.map((name) => ({
  target: `./subgraphs/${name}`,
  from: './subgraphs',
  except: [`./${name}`, './kit', './registry.ts'],
  message: `A subgraph folder imports only itself and subgraphs/kit: subgraphs/${name} must not reach into another subgraph.`,
}));

/** Runtime code imports no tools: not the launcher and scripts, the demo data, the tests or the benchmarks. */
const outward = ['./scripts', './demo', './test', './bench'].map((from) => ({
  target: ['./subgraphs', './gateway', './db'],
  from,
  message: 'Runtime code does not import scripts, demo data, tests or benchmarks.',
}));

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/__generated__/**', '**/dist/**', '.engine/**', 'data/**', '.scratch/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    // Zones apply to imports the plugin can resolve: TypeScript's extensionless paths included.
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.json'] })] },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './subgraphs/kit', from: './subgraphs', except: ['./kit'], message: 'The kit is shared by every subgraph: it imports none of them.' },
            ...subgraphZones,
            ...outward,
            {
              target: [
                './gateway/index.ts',
                './gateway/server.ts',
                './gateway/supergraph.ts',
                './gateway/static-bundle.ts',
                './gateway/explorer/serve.ts',
                './gateway/dashboard/serve.ts',
              ],
              from: ['./gateway/bundle-build.ts', './gateway/explorer/build.ts', './gateway/dashboard/build.ts'],
              message: 'The running gateway builds nothing: the explorer and dashboard bundles come from npm run build.',
            },
          ],
        },
      ],
      // `_name` says "deliberately unused" (a destructured field left out, an unused parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests read GraphQL answers as loose JSON.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
