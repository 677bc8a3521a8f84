// Every subgraph of the platform, in one list: composition, codegen, the launcher and the
// gateway all read it, so adding a subgraph is one entry here plus its folder.

export interface SubgraphEntry {
  name: string;
  defaultPort: number;
  /** The start file, relative to the project root. */
  entry: string;
  /** For codegen: the context type exported by the subgraph's context.ts. */
  contextType: string;
  /** For codegen: GraphQL type → the model type resolvers receive, from the generated folder. */
  mappers: Record<string, string>;
  /** How long the gateway waits for one of its answers, when not the default (SUBGRAPH_<NAME>_TIMEOUT_MS overrides). */
  fetchTimeoutMs?: number;
}

export const SUBGRAPHS: readonly SubgraphEntry[] = [
  {
    name: 'aeo',
    defaultPort: 4001,
    entry: 'subgraphs/aeo/index.ts',
    contextType: 'AeoContext',
    mappers: {
      EconomicOperator: '../models#OperatorDoc',
      AeoAuthorisation: '../models#AuthorisationDoc',
    },
  },
  {
    name: 'declarations',
    defaultPort: 4002,
    entry: 'subgraphs/declarations/index.ts',
    contextType: 'DeclarationsContext',
    mappers: {
      EconomicOperator: '../models#OperatorRef',
      Declaration: '../models#DeclarationDoc',
      DeclarationParties: '../models#DeclarationPartiesDoc',
      GoodsItem: '../models#GoodsItemParent',
      ControlResult: '../models#ControlResultDoc',
      EntrySummaryDeclaration: '../models#EntrySummaryDoc',
      Consignment: '../models#ConsignmentDoc',
      Party: '../models#PartyDoc',
      ContainerSighting: '../models#ContainerSightingParent',
      Change: '../models#ChangeParent',
    },
  },
  {
    name: 'licences',
    defaultPort: 4003,
    entry: 'subgraphs/licences/index.ts',
    contextType: 'LicencesContext',
    mappers: {
      Licence: '../models#LicenceDoc',
      EconomicOperator: '../models#OperatorRef',
      GoodsItem: '../reconcile#GoodsItemFacts',
      LicenceCheck: '../reconcile#LicenceCheck as ReconciledLicenceCheck',
    },
  },
  {
    name: 'mra',
    defaultPort: 4004,
    entry: 'subgraphs/mra/index.ts',
    contextType: 'MraContext',
    mappers: {
      MraProgramme: '../models#ProgrammeDoc',
      PartnerOperator: '../models#PartnerOperatorDoc',
      TradeLane: '../models#LaneDoc',
      EconomicOperator: '../models#OperatorParent',
      MutualRecognition: '../recognition#Recognition',
      DataExchangeConsent: '../models#ConsentDoc',
    },
  },
  {
    name: 'risk',
    defaultPort: 4005,
    entry: 'subgraphs/risk/index.ts',
    contextType: 'RiskContext',
    // Screening scores a whole batch of filings, reading their facts through the graph meanwhile.
    fetchTimeoutMs: 30_000,
    mappers: {
      RiskAssessment: '../models#AssessmentDoc',
      TargetingRule: '../models#RuleDoc',
      RiskModel: '../models#ModelHeaderDoc',
      RiskInformationForm: '../models#RiskInformationFormDoc',
      CrisisAlert: '../models#CrisisAlertDoc',
      RiskInformationResponse: '../models#RiskInformationResponseDoc',
      AssessmentChange: '../assessment-feed#AssessmentChangeParent',
    },
  },
  {
    name: 'audit',
    defaultPort: 4006,
    entry: 'subgraphs/audit/index.ts',
    contextType: 'AuditContext',
    mappers: {
      AuditEntry: '../models#AuditEntryDoc',
    },
  },
  {
    name: 'indicators',
    defaultPort: 4007,
    entry: 'subgraphs/indicators/index.ts',
    contextType: 'IndicatorsContext',
    // Resolvers answer whole rows and flows, computed from the aggregates: no model types to map.
    mappers: {},
  },
];

/** Where the gateway finds a subgraph: SUBGRAPH_<NAME>_URL, else its local default. */
export function subgraphUrl(entry: SubgraphEntry, env: NodeJS.ProcessEnv = process.env): string {
  return env[`SUBGRAPH_${entry.name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${entry.defaultPort}/graphql`;
}

export function subgraphEntry(name: string): SubgraphEntry {
  const entry = SUBGRAPHS.find((subgraph) => subgraph.name === name);
  if (!entry) throw new Error(`No subgraph named ${name} in subgraphs/registry.ts`);
  return entry;
}
