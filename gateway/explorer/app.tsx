// The in-browser explorer for AEO auditors: GraphiQL 5 against the gateway on the same origin.
// Bundled by build.ts; every asset is served by serve.ts under /explorer/, nothing from a CDN.
import { StrictMode, useEffect, useMemo, useRef, type FC } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { useGraphiQL, useGraphiQLActions, type GraphiQLPlugin } from '@graphiql/react';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import contractOperations from 'virtual:contract-operations';
import type { ContractOperation } from './operations';
import { SignInBar, useToken } from './sign-in';
import 'graphiql/style.css';
import './app.css';

// Must match the prefix serve.ts serves dist/ under (build.ts names the worker files).
const ASSET_PREFIX = '/explorer/';

// GraphiQL 5 runs Monaco, which asks for a worker per language; the bundler-specific
// `graphiql/setup-workers/*` helpers don't apply to esbuild, so point Monaco at the
// separately built worker bundles. Classic (non-module) workers: build.ts emits IIFEs.
const WORKERS: Record<string, string> = {
  json: 'json.worker.js',
  graphql: 'graphql.worker.js',
};
(globalThis as typeof globalThis & { MonacoEnvironment?: { getWorker(id: string, label: string): Worker } }).MonacoEnvironment = {
  getWorker(_id: string, label: string): Worker {
    return new Worker(`${ASSET_PREFIX}${WORKERS[label] ?? 'editor.worker.js'}`, { name: label });
  },
};

const baseFetcher = createGraphiQLFetcher({ url: new URL('/graphql', window.location.origin).href });
type Fetcher = typeof baseFetcher;

/** Sends the token with every request; a header typed into the headers editor wins. */
function fetcherFor(token: string | null): Fetcher {
  return (params, options) => baseFetcher(params, { ...options, headers: { ...(token && { authorization: `Bearer ${token}` }), ...options?.headers } });
}

// Short, runnable, and built only from fields the Trader360 contract guarantees.
const WELCOME_QUERY = `# Customs risk graph — explorer
# More: the other tabs and the
# "Examples" panel in the sidebar.
# Run with Ctrl+Enter or ▶.
query Operator($eori: ID!) {
  economicOperator(eori: $eori) {
    eori
    name
    country
    aeoAuthorisations { type status validFrom }
  }
}
`;
const WELCOME_VARIABLES = JSON.stringify({ eori: 'DE123456789012' }, null, 2);

const defaultTabs = [
  { query: WELCOME_QUERY, variables: WELCOME_VARIABLES },
  ...contractOperations.map((operation) => ({ query: operation.query, variables: operation.variables })),
];

const ExamplesIcon: FC = () => (
  <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
    <path d="M4 5h16M4 10h16M4 15h10M4 20h7" strokeLinecap="round" />
  </svg>
);

const ExamplesContent: FC = () => {
  const { addTab, changeTab, updateActiveTabValues } = useGraphiQLActions();
  const tabs = useGraphiQL((state) => state.tabs);
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const variableEditor = useGraphiQL((state) => state.variableEditor);

  const open = (operation: ContractOperation): void => {
    // Reuse an untouched tab holding this example rather than piling up duplicates.
    const existing = tabs.findIndex((tab) => tab.query === operation.query);
    if (existing !== -1) {
      changeTab(existing);
      return;
    }
    // addTab() empties the editors synchronously, so fill them only afterwards.
    addTab();
    queryEditor?.setValue(operation.query);
    variableEditor?.setValue(operation.variables);
    updateActiveTabValues({ query: operation.query, variables: operation.variables, operationName: operation.name });
  };

  return (
    <section className="explorer-examples" aria-label="Contract operation examples">
      <div className="explorer-examples-header">Examples</div>
      <p className="explorer-examples-intro">
        The contract operations every client relies on. Click one to open it in a tab, then replace the placeholder variables.
      </p>
      <ul className="explorer-examples-items">
        {contractOperations.map((operation) => (
          <li key={operation.name}>
            <button type="button" onClick={() => open(operation)} data-example={operation.name}>
              <span className="explorer-examples-name">{operation.name}</span>
              {operation.description && <span className="explorer-examples-description">{operation.description}</span>}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
};

const EXAMPLES_PLUGIN: GraphiQLPlugin = {
  title: 'Examples',
  icon: ExamplesIcon,
  content: ExamplesContent,
};

// GraphiQL 5 seeds the first tab's query from `defaultTabs` but not its variables (the provider
// only reads `initialVariables`/storage), so the welcome tab would open with an empty variables
// editor. Fill it once, from the tab state, as soon as the editor exists. Rendered in the logo
// slot because that is inside GraphiQL's provider.
const Logo: FC = () => {
  const variableEditor = useGraphiQL((state) => state.variableEditor);
  const activeTab = useGraphiQL((state) => state.tabs[state.activeTabIndex]);
  const done = useRef(false);
  useEffect(() => {
    if (done.current || !variableEditor) return;
    done.current = true;
    if (!variableEditor.getValue() && activeTab?.variables) variableEditor.setValue(activeTab.variables);
  }, [variableEditor, activeTab]);
  return <span className="explorer-logo">Customs risk graph — explorer</span>;
};

const Explorer: FC = () => {
  // A new identity may see another schema. A new fetcher makes GraphiQL introspect again, with
  // the new token, in place: remounting it would cancel Monaco's work under way ("Canceled").
  const token = useToken();
  const fetcher = useMemo(() => fetcherFor(token), [token]);
  return (
    <>
      <SignInBar />
      <GraphiQL
        fetcher={fetcher}
        // Signed out, the gateway answers nothing, the schema included: do not ask for it.
        schema={token ? undefined : null}
        defaultTabs={defaultTabs}
        plugins={[EXAMPLES_PLUGIN, HISTORY_PLUGIN]}
        isHeadersEditorEnabled
        // Every example needs its variables edited, so show them from the start.
        defaultEditorToolsVisibility="variables"
        // Auditors paste bearer tokens into the headers editor; keep them out of localStorage.
        shouldPersistHeaders={false}
      >
        <GraphiQL.Logo>
          <Logo />
        </GraphiQL.Logo>
      </GraphiQL>
    </>
  );
};

const root = document.getElementById('root');
if (!root) throw new Error('explorer: #root element missing from index.html');
createRoot(root).render(
  <StrictMode>
    <Explorer />
  </StrictMode>,
);
