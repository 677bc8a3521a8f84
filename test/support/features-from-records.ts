/**
 * Features from a declarations ingest record (records.ts), for tests that score a record
 * without the platform. Records carry no AEO status, recognition or licence checks: those lists
 * stay empty here (screening fills them from the graph, which the risk subgraph reads).
 */
import type { DeclarationRecord, GoodsItemRecord, MoneyRecord, NationalDataRecord, PartyRecord } from '../../subgraphs/declarations/records';
import type { FilingFeatures, ItemFeatures } from '../../subgraphs/risk/model/features';

export function featuresFromDeclarationRecord(record: DeclarationRecord): FilingFeatures {
  return {
    kind: 'DECLARATION',
    mrn: record.mrn,
    date: record.acceptanceDate,
    office: record.officeOfPresentation,
    transportMode: record.transportMode ?? null,
    importer: partyId(record.importer),
    declarant: partyId(record.declarant),
    seller: partyId(record.seller),
    dispatchCountry: record.countryOfDispatch ?? null,
    routes: [],
    nationalData: nationalData(record),
    items: record.items.map(itemFeatures),
    importerAeo: [],
    recognisedBy: [],
  };
}

function partyId(party: PartyRecord | null | undefined): string | null {
  return party?.eori ?? party?.identificationNumber ?? null;
}

function itemFeatures(item: GoodsItemRecord): ItemFeatures {
  const digits = item.commodityCode.replace(/\D/g, '');
  return {
    itemNumber: item.itemNumber,
    commodityCode: digits === '' ? null : digits,
    originCountry: item.originCountry,
    netMass: item.netMass,
    grossMass: item.grossMass ?? null,
    valueEur: euro(item.statisticalValue),
    licenceOutcomes: [],
  };
}

function euro(money: MoneyRecord | null | undefined): number | null {
  return money && money.currency === 'EUR' ? money.amount : null;
}

/**
 * The declaration's national data, then its items' (KCS keeps taxRate, taxType and
 * originIndicator on the item). FilingFeatures has one map per filing, so a declaration-level
 * value wins over an item's, and the first item's value over later items'.
 */
function nationalData(record: DeclarationRecord): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (entries: NationalDataRecord[] | null | undefined) => {
    for (const { key, value } of entries ?? []) if (!(key in out)) out[key] = value;
  };
  add(record.nationalData);
  for (const item of record.items) add(item.nationalData);
  return out;
}
