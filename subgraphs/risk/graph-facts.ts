// The operations risk sends to the composed graph, and how their answers become features. One
// operation per batch fetches everything scoring needs: the declaration, its items and their
// licence checks (licences subgraph), the importer's AEO authorisations (aeo) and the partner
// programmes that recognise it (mra); or, for learning, the declarations with their controls.
import type { AeoFacts, FilingFeatures, ItemFeatures, LabelledFiling } from './model/features';

const PARTY = `eori identificationNumber`;
const OPERATOR_FACTS = `eori aeoAuthorisations { type status }`;
/** A third-country trader: whether the EU recognises it under a partner programme. */
const PARTNER_FACTS = `eori mutualRecognitions { status programme { code } }`;
const DECLARATION_FACTS = `
  mrn acceptanceDate officeOfPresentation transportMode countryOfDispatch
  parties { importer { ${PARTY} } declarant { ${PARTY} } seller { ${PARTY} } }
  nationalData { key value }
  controlResults { outcome }`;
// Items carry national data too: KCS keeps taxRate, taxType and originIndicator on the item.
const ITEM_FACTS = `itemNumber commodityCode originCountry netMass grossMass statisticalValue { amount currency } nationalData { key value }`;

const SCREENING_DECLARATION = `${DECLARATION_FACTS}
  importer { ${OPERATOR_FACTS} }
  sellerParty: parties { seller { operator { ${PARTNER_FACTS} } } }
  items { ${ITEM_FACTS} licenceChecks { outcome } }`;
const LEARNING_DECLARATION = `${DECLARATION_FACTS}
  items { ${ITEM_FACTS} }`;
const SCREENING_ENS = `
  mrn expectedArrival officeOfFirstEntry transportMode routes
  consignments {
    consignor { ${PARTY} operator { ${PARTNER_FACTS} } }
    consignee { ${PARTY} operator { ${OPERATOR_FACTS} } }
    goods { commodityCode grossMass }
  }`;

export const DECLARATIONS_BY_MRN = `query RiskScreenDeclarations($mrns: [ID!]!) { filings: declarationsByMrn(mrns: $mrns) { ${SCREENING_DECLARATION} } }`;
export const ENTRY_SUMMARIES_BY_MRN = `query RiskScreenEntrySummaries($mrns: [ID!]!) { filings: entrySummaryDeclarationsByMrn(mrns: $mrns) { ${SCREENING_ENS} } }`;

/**
 * A page of what changed, with everything scoring needs: one operation per screening batch. A
 * control result changes no fact scoring uses; it comes with its outcome only.
 */
export const SCREENING_CHANGES = `query RiskScreenChanges($after: String, $first: Int!, $kinds: [ChangeKind!]!) {
  changes(after: $after, first: $first, kinds: $kinds) {
    edges { node { kind mrn declaration { ${SCREENING_DECLARATION} } entrySummaryDeclaration { ${SCREENING_ENS} } controlResult { outcome } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The first setup (first-setup.ts): what the feed announced, the feed alone, no filing read. */
export const ANNOUNCED_CHANGES = `query RiskFirstSetupChanges($after: String, $first: Int!) {
  changes(after: $after, first: $first, kinds: [DECLARATION, ENTRY_SUMMARY_DECLARATION, CONTROL_RESULT]) {
    edges { node { kind mrn } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** A page of new control results with their declarations: one operation per learning batch. */
export const LEARNING_CHANGES = `query RiskLearnChanges($after: String, $first: Int!) {
  changes(after: $after, first: $first, kinds: [CONTROL_RESULT]) {
    edges { node { mrn controlResult { declaration { ${LEARNING_DECLARATION} } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

// ---------------------------------------------------------------------------
// Answers

interface PartyFacts {
  eori: string | null;
  identificationNumber: string | null;
}

interface OperatorFacts {
  eori: string;
  aeoAuthorisations?: AeoFacts[];
}

interface PartnerFacts {
  eori: string;
  mutualRecognitions: { status: string; programme: { code: string } }[];
}

export interface DeclarationFacts {
  mrn: string;
  acceptanceDate: string;
  officeOfPresentation: string;
  transportMode: string | null;
  countryOfDispatch: string | null;
  parties: { importer: PartyFacts | null; declarant: PartyFacts | null; seller: PartyFacts | null };
  nationalData: { key: string; value: string }[];
  controlResults: { outcome: string }[];
  importer?: OperatorFacts | null;
  sellerParty?: { seller: { operator: PartnerFacts | null } | null };
  items: {
    itemNumber: number;
    commodityCode: string;
    originCountry: string;
    netMass: number;
    grossMass: number | null;
    statisticalValue: { amount: number; currency: string } | null;
    nationalData: { key: string; value: string }[];
    licenceChecks?: { outcome: string }[];
  }[];
}

export interface EntrySummaryFacts {
  mrn: string;
  expectedArrival: string;
  officeOfFirstEntry: string;
  transportMode: string | null;
  routes: string[];
  consignments: {
    consignor: PartyFacts & { operator: PartnerFacts | null };
    consignee: PartyFacts & { operator: OperatorFacts | null };
    goods: { commodityCode: string; grossMass: number }[];
  }[];
}

export interface ChangePage<TNode> {
  changes: { edges: { node: TNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export type ScreeningChange = {
  kind: 'DECLARATION' | 'ENTRY_SUMMARY_DECLARATION' | 'CONTROL_RESULT';
  mrn: string;
  declaration: DeclarationFacts | null;
  entrySummaryDeclaration: EntrySummaryFacts | null;
  /** A new control result: only its outcome, which confirms the rules that hit its declaration. */
  controlResult: { outcome: string } | null;
};
export type LearningChange = { mrn: string; controlResult: { declaration: DeclarationFacts } | null };

const partyId = (party: PartyFacts | null | undefined) => party?.eori ?? party?.identificationNumber ?? null;

function recognisedBy(partner: PartnerFacts | null | undefined): string[] {
  return (partner?.mutualRecognitions ?? [])
    .filter((r) => r.status === 'RECOGNISED')
    .map((r) => r.programme.code)
    .sort();
}

export function declarationFeatures(facts: DeclarationFacts): FilingFeatures {
  return {
    kind: 'DECLARATION',
    mrn: facts.mrn,
    date: facts.acceptanceDate,
    office: facts.officeOfPresentation,
    transportMode: facts.transportMode,
    importer: partyId(facts.parties.importer),
    declarant: partyId(facts.parties.declarant),
    seller: partyId(facts.parties.seller),
    dispatchCountry: facts.countryOfDispatch,
    routes: [],
    nationalData: nationalData(facts),
    items: facts.items.map((item): ItemFeatures => ({
      itemNumber: item.itemNumber,
      commodityCode: item.commodityCode.replace(/\D/g, '') || null,
      originCountry: item.originCountry,
      netMass: item.netMass,
      grossMass: item.grossMass,
      valueEur: item.statisticalValue?.currency === 'EUR' ? item.statisticalValue.amount : null,
      licenceOutcomes: (item.licenceChecks ?? []).map((check) => check.outcome),
    })),
    importerAeo: facts.importer?.aeoAuthorisations ?? [],
    recognisedBy: recognisedBy(facts.sellerParty?.seller?.operator),
  };
}

/**
 * The declaration's national data, then its items': FilingFeatures has one map per filing, so a
 * declaration's value wins over an item's, and the first item's over later items'.
 */
function nationalData(facts: DeclarationFacts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of [...facts.nationalData, ...facts.items.flatMap((item) => item.nationalData)]) if (!(key in out)) out[key] = value;
  return out;
}

/**
 * An ENS as features: its first consignment's consignee stands for the importer and its consignor
 * for the seller; the goods of every consignment are the items (HS6, gross mass, no value).
 */
export function entrySummaryFeatures(facts: EntrySummaryFacts): FilingFeatures {
  const first = facts.consignments[0];
  let itemNumber = 0;
  return {
    kind: 'ENS',
    mrn: facts.mrn,
    date: facts.expectedArrival.slice(0, 10),
    office: facts.officeOfFirstEntry,
    transportMode: facts.transportMode,
    importer: partyId(first?.consignee),
    declarant: null,
    seller: partyId(first?.consignor),
    // The country of the first place of loading: where the goods left for the Union.
    dispatchCountry: facts.routes[0]?.slice(0, 2) ?? null,
    routes: facts.routes,
    nationalData: {},
    items: facts.consignments.flatMap((consignment) =>
      consignment.goods.map((goods): ItemFeatures => ({
        itemNumber: ++itemNumber,
        commodityCode: goods.commodityCode.replace(/\D/g, '') || null,
        originCountry: null,
        netMass: null,
        grossMass: goods.grossMass,
        valueEur: null,
        licenceOutcomes: [],
      })),
    ),
    importerAeo: first?.consignee.operator?.aeoAuthorisations ?? [],
    recognisedBy: recognisedBy(first?.consignor.operator),
  };
}

export function isIrregular(facts: Pick<DeclarationFacts, 'controlResults'>): boolean {
  return facts.controlResults.some((control) => control.outcome === 'IRREGULARITY_FOUND');
}

/** A declaration with at least one control, as a learning example. */
export function labelledFiling(facts: DeclarationFacts): LabelledFiling | null {
  if (facts.controlResults.length === 0) return null;
  return { features: declarationFeatures(facts), irregular: isIrregular(facts) };
}
