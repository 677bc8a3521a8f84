// Turns incoming records into stored documents, or rejects them whole: the first problem is
// thrown as BAD_USER_INPUT naming the field by its path (items[2].containers[0]) and the reason.
import type { GraphQLError } from 'graphql';
import { badUserInput } from '../kit/errors';
import { checkCommodityCode, checkContainerNumber, checkCountryCode, checkCurrencyCode, checkEori, checkMrn, checkUnLocode } from '../kit/identifiers';
import {
  optionalText,
  requireDate,
  requireNumber as number,
  requireOfficeCode as office,
  requireOneOf as oneOf,
  requirePattern as pattern,
  requireText as text,
  requireValid,
} from '../kit/input';
import type { ConsignmentDoc, ControlResultDoc, DeclarationDoc, EntrySummaryDoc, GoodsItemDoc, KeyValueDoc, MoneyDoc, PartyDoc, ScopeFields } from './models';
import type {
  ConsignmentRecord,
  ControlResultRecord,
  DeclarationRecord,
  EntrySummaryRecord,
  GoodsItemRecord,
  MoneyRecord,
  NationalDataRecord,
  PartyRecord,
  TransportMode,
} from './records';

const TRANSPORT_MODES: readonly TransportMode[] = [
  'SEA',
  'RAIL',
  'ROAD',
  'AIR',
  'POSTAL',
  'FIXED_INSTALLATION',
  'INLAND_WATERWAY',
  'OWN_PROPULSION',
  'UNKNOWN',
];
const INCOTERMS = ['EXW', 'FCA', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP', 'FAS', 'FOB', 'CFR', 'CIF'];
const FILING_TYPES = [
  'F10',
  'F11',
  'F12',
  'F13',
  'F14',
  'F15',
  'F16',
  'F20',
  'F21',
  'F22',
  'F23',
  'F24',
  'F25',
  'F26',
  'F27',
  'F28',
  'F29',
  'F30',
  'F31',
  'F32',
  'F33',
  'F40',
  'F41',
  'F42',
  'F50',
  'F51',
];
const LANES = ['GREEN', 'YELLOW', 'RED', 'BLUE'];
const OUTCOMES = ['NO_IRREGULARITY', 'IRREGULARITY_FOUND'];
const SEVERITIES = ['MINOR', 'CRITICAL'];
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

// ---------------------------------------------------------------------------
// Field checks: each returns the clean value or throws naming the field.

function optionalNumber(field: string, value: unknown): number | null {
  return value === undefined || value === null ? null : number(field, value);
}

function string(field: string, value: unknown): string {
  if (typeof value !== 'string') throw badUserInput(field, 'is required');
  return value;
}

function country(field: string, value: unknown): string {
  return requireValid(field, checkCountryCode(string(field, value)));
}

function optionalCountry(field: string, value: unknown): string | null {
  return value === undefined || value === null ? null : country(field, value);
}

function date(field: string, value: unknown): string {
  return requireDate(field, string(field, value));
}

function dateTime(field: string, value: unknown): string {
  const raw = string(field, value);
  if (!ISO_DATE_TIME.test(raw) || Number.isNaN(Date.parse(raw))) throw badUserInput(field, `must be an ISO 8601 date-time with an offset, not "${raw}"`);
  return new Date(raw).toISOString();
}

function money(field: string, value: MoneyRecord | null | undefined): MoneyDoc {
  if (!value || typeof value !== 'object') throw badUserInput(field, 'is required');
  return {
    amount: number(`${field}.amount`, value.amount),
    currency: requireValid(`${field}.currency`, checkCurrencyCode(string(`${field}.currency`, value.currency))),
  };
}

function optionalMoney(field: string, value: MoneyRecord | null | undefined): MoneyDoc | null {
  return value === undefined || value === null ? null : money(field, value);
}

function list<T>(field: string, value: T[] | null | undefined, { min = 0, max = 999 } = {}): T[] {
  if (value === undefined || value === null) {
    if (min > 0) throw badUserInput(field, 'is required');
    return [];
  }
  if (!Array.isArray(value)) throw badUserInput(field, 'must be a list');
  if (value.length < min) throw badUserInput(field, `needs at least ${min}`);
  if (value.length > max) throw badUserInput(field, `has more than ${max}`);
  return value;
}

function nationalData(field: string, value: NationalDataRecord[] | null | undefined): KeyValueDoc[] {
  return list(field, value, { max: 50 }).map((element, i) => ({
    key: pattern(`${field}[${i}].key`, element?.key, /^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'a name of letters, digits and _'),
    value: text(`${field}[${i}].value`, element?.value, 200),
  }));
}

export function party(field: string, value: PartyRecord | null | undefined): PartyDoc {
  if (!value || typeof value !== 'object') throw badUserInput(field, 'is required');
  const eori = value.eori === undefined || value.eori === null ? null : requireValid(`${field}.eori`, checkEori(string(`${field}.eori`, value.eori)));
  const identificationNumber = optionalText(`${field}.identificationNumber`, value.identificationNumber, 35);
  const name = optionalText(`${field}.name`, value.name, 70);
  if (!eori && !identificationNumber && !name) throw badUserInput(field, 'needs an EORI, an identification number or a name');
  const address = value.address
    ? {
        street: optionalText(`${field}.address.street`, value.address.street, 70),
        postcode: optionalText(`${field}.address.postcode`, value.address.postcode, 17),
        city: optionalText(`${field}.address.city`, value.address.city, 35),
        country: country(`${field}.address.country`, value.address.country),
      }
    : null;
  return { eori, identificationNumber, name, address, country: optionalCountry(`${field}.country`, value.country) };
}

function optionalParty(field: string, value: PartyRecord | null | undefined): PartyDoc | null {
  return value === undefined || value === null ? null : party(field, value);
}

function transportMode(field: string, value: unknown): TransportMode | null {
  return value === undefined || value === null ? null : oneOf(field, value, TRANSPORT_MODES);
}

// ---------------------------------------------------------------------------
// Records

function goodsItem(field: string, item: GoodsItemRecord): GoodsItemDoc {
  if (!item || typeof item !== 'object') throw badUserInput(field, 'is required');
  return {
    itemNumber: number(`${field}.itemNumber`, item.itemNumber, { min: 1, max: 999, integer: true }),
    commodityCode: requireCommodity(`${field}.commodityCode`, item.commodityCode),
    description: text(`${field}.description`, item.description, 512),
    originCountry: country(`${field}.originCountry`, item.originCountry),
    netMass: number(`${field}.netMass`, item.netMass),
    grossMass: optionalNumber(`${field}.grossMass`, item.grossMass),
    supplementaryUnits: optionalNumber(`${field}.supplementaryUnits`, item.supplementaryUnits),
    itemAmount: money(`${field}.itemAmount`, item.itemAmount),
    statisticalValue: optionalMoney(`${field}.statisticalValue`, item.statisticalValue),
    supportingDocuments: list(`${field}.supportingDocuments`, item.supportingDocuments, { max: 99 }).map((doc, i) => ({
      type: pattern(`${field}.supportingDocuments[${i}].type`, doc?.type, /^[A-Z0-9]{4}$/, 'a 4-character document type code'),
      reference: text(`${field}.supportingDocuments[${i}].reference`, doc?.reference, 70),
    })),
    containers: list(`${field}.containers`, item.containers, { max: 99 }).map((number, i) =>
      requireValid(`${field}.containers[${i}]`, checkContainerNumber(string(`${field}.containers[${i}]`, number))),
    ),
    nationalData: nationalData(`${field}.nationalData`, item.nationalData),
  };
}

function requireCommodity(field: string, value: unknown): string {
  const code = string(field, value);
  const validation = checkCommodityCode(code, 'ANY');
  if (validation.valid && code.length === 6) throw badUserInput(field, 'must be a CN8 or TARIC10 code, not HS6');
  return requireValid(field, validation);
}

/** A declaration as validated; the writer adds its version fingerprints. */
export type DeclarationContent = Omit<DeclarationDoc, 'contentHashes' | keyof ScopeFields>;

export function validateDeclaration(record: DeclarationRecord): DeclarationContent {
  const mrn = requireValid('mrn', checkMrn(string('mrn', record.mrn)));
  const items = list('items', record.items, { min: 1, max: 999 }).map((item, i) => goodsItem(`items[${i}]`, item));
  const seen = new Set<number>();
  items.forEach((item, i) => {
    if (seen.has(item.itemNumber)) throw badUserInput(`items[${i}].itemNumber`, `${item.itemNumber} appears twice`);
    seen.add(item.itemNumber);
  });
  items.sort((a, b) => a.itemNumber - b.itemNumber);

  const parties = {
    declarant: party('declarant', record.declarant),
    importer: party('importer', record.importer),
    representative: optionalParty('representative', record.representative),
    seller: optionalParty('seller', record.seller),
    buyer: optionalParty('buyer', record.buyer),
  };
  return {
    _id: mrn,
    lrn: text('lrn', record.lrn, 22),
    declarationType: pattern('declarationType', record.declarationType, /^[A-Z]{2,3}$/, 'a declaration type code such as IM'),
    acceptanceDate: date('acceptanceDate', record.acceptanceDate),
    officeOfPresentation: office('officeOfPresentation', record.officeOfPresentation),
    transportMode: transportMode('transportMode', record.transportMode),
    countryOfDispatch: optionalCountry('countryOfDispatch', record.countryOfDispatch),
    parties,
    deliveryTerms: record.deliveryTerms
      ? {
          incoterm: oneOf('deliveryTerms.incoterm', record.deliveryTerms.incoterm, INCOTERMS),
          place: optionalText('deliveryTerms.place', record.deliveryTerms.place, 35),
        }
      : null,
    invoiceTotal: optionalMoney('invoiceTotal', record.invoiceTotal),
    items,
    nationalData: nationalData('nationalData', record.nationalData),
    partyIndex: partyIndex(parties),
    commodityCodes: [...new Set(items.map((item) => item.commodityCode))],
    originCountries: [...new Set(items.map((item) => item.originCountry))],
  };
}

function partyIndex(parties: Record<string, PartyDoc | null>): string[] {
  const index = new Set<string>();
  for (const [role, value] of Object.entries(parties)) if (value?.eori) index.add(`${toRole(role)}:${value.eori}`);
  return [...index].sort();
}

/** notifyParty → NOTIFY_PARTY */
function toRole(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

function consignment(field: string, value: ConsignmentRecord): ConsignmentDoc {
  if (!value || typeof value !== 'object') throw badUserInput(field, 'is required');
  return {
    transportDocument: text(`${field}.transportDocument`, value.transportDocument, 70),
    masterTransportDocument: optionalText(`${field}.masterTransportDocument`, value.masterTransportDocument, 70),
    consignor: party(`${field}.consignor`, value.consignor),
    consignee: party(`${field}.consignee`, value.consignee),
    notifyParty: optionalParty(`${field}.notifyParty`, value.notifyParty),
    placeOfLoading: requireValid(`${field}.placeOfLoading`, checkUnLocode(string(`${field}.placeOfLoading`, value.placeOfLoading))),
    placeOfUnloading: requireValid(`${field}.placeOfUnloading`, checkUnLocode(string(`${field}.placeOfUnloading`, value.placeOfUnloading))),
    goods: list(`${field}.goods`, value.goods, { min: 1 }).map((goods, i) => {
      const at = `${field}.goods[${i}]`;
      if (!goods || typeof goods !== 'object') throw badUserInput(at, 'is required');
      return {
        commodityCode: requireValid(`${at}.commodityCode`, checkCommodityCode(string(`${at}.commodityCode`, goods.commodityCode), 'HS6')),
        description: text(`${at}.description`, goods.description, 512),
        grossMass: number(`${at}.grossMass`, goods.grossMass),
        packages: number(`${at}.packages`, goods.packages, { integer: true }),
        dangerousGoodsCode:
          goods.dangerousGoodsCode === undefined || goods.dangerousGoodsCode === null
            ? null
            : pattern(`${at}.dangerousGoodsCode`, goods.dangerousGoodsCode, /^\d{4}$/, 'a 4-digit UN number'),
      };
    }),
    containers: list(`${field}.containers`, value.containers).map((container, i) => ({
      number: requireValid(`${field}.containers[${i}].number`, checkContainerNumber(string(`${field}.containers[${i}].number`, container?.number))),
      seals: list(`${field}.containers[${i}].seals`, container?.seals, { max: 9 }).map((seal, j) => text(`${field}.containers[${i}].seals[${j}]`, seal, 35)),
    })),
  };
}

/** The filing as stored, apart from version and timestamps, which the writer sets. */
export type EntrySummaryContent = Omit<EntrySummaryDoc, 'version' | 'lodgedAt' | 'amendedAt' | 'contentHashes' | keyof ScopeFields>;

export function validateEntrySummary(record: EntrySummaryRecord): EntrySummaryContent {
  const mrn = requireValid('mrn', checkMrn(string('mrn', record.mrn)));
  const carrier = party('carrier', record.carrier);
  const consignments = list('consignments', record.consignments, { min: 1 }).map((value, i) => consignment(`consignments[${i}]`, value));
  const index = new Set<string>(carrier.eori ? [`CARRIER:${carrier.eori}`] : []);
  for (const value of consignments) {
    for (const [role, who] of [
      ['CONSIGNOR', value.consignor],
      ['CONSIGNEE', value.consignee],
      ['NOTIFY_PARTY', value.notifyParty],
    ] as const) {
      if (who?.eori) index.add(`${role}:${who.eori}`);
    }
  }
  return {
    _id: mrn,
    filingType: oneOf('filingType', record.filingType, FILING_TYPES) as EntrySummaryDoc['filingType'],
    officeOfFirstEntry: office('officeOfFirstEntry', record.officeOfFirstEntry),
    expectedArrival: dateTime('expectedArrival', record.expectedArrival),
    transportMode: transportMode('transportMode', record.transportMode),
    carrier,
    consignments,
    partyIndex: [...index].sort(),
    containerNumbers: [...new Set(consignments.flatMap((value) => value.containers.map((container) => container.number)))],
  };
}

export function controlResultId(mrn: string, itemNumber: number | null, controlType: string): string {
  return `${mrn}/${itemNumber ?? '-'}/${controlType}`;
}

/**
 * Validates a control result against the declaration it is about; the declaration's parties
 * are copied in, as the operators whose statistics it counts in.
 */
export type ControlResultContent = Omit<ControlResultDoc, 'contentHashes' | keyof ScopeFields>;

/** What a control result needs to know of its declaration. */
export interface DeclarationOutline {
  partyIndex: string[];
  itemNumbers: number[];
}

/** How a control result of a declaration never lodged is rejected; also of one the recorder may not see (resolvers.ts). */
export function unknownDeclaration(mrn: string): GraphQLError {
  return badUserInput('mrn', `no declaration with MRN ${mrn} has been lodged`);
}

export function validateControlResult(record: ControlResultRecord, declaration: DeclarationOutline | null): ControlResultContent {
  const mrn = requireValid('mrn', checkMrn(string('mrn', record.mrn)));
  if (!declaration) throw unknownDeclaration(mrn);
  const itemNumber =
    record.itemNumber === undefined || record.itemNumber === null ? null : number('itemNumber', record.itemNumber, { min: 1, max: 999, integer: true });
  if (itemNumber !== null && !declaration.itemNumbers.includes(itemNumber)) {
    throw badUserInput('itemNumber', `declaration ${mrn} has no item ${itemNumber}`);
  }
  const outcome = oneOf('outcome', record.outcome, OUTCOMES) as ControlResultDoc['outcome'];
  const irregularityType = optionalText('irregularityType', record.irregularityType, 40);
  const severity =
    record.severity === undefined || record.severity === null ? null : (oneOf('severity', record.severity, SEVERITIES) as ControlResultDoc['severity']);
  if (outcome === 'NO_IRREGULARITY' && (irregularityType || severity)) {
    throw badUserInput(irregularityType ? 'irregularityType' : 'severity', 'is given although no irregularity was found');
  }
  const controlType = pattern('controlType', record.controlType, /^[A-Z][A-Z_]{1,39}$/, 'an upper-case code such as PHYSICAL_EXAMINATION');
  return {
    _id: controlResultId(mrn, itemNumber, controlType),
    mrn,
    itemNumber,
    lane: oneOf('lane', record.lane, LANES) as ControlResultDoc['lane'],
    controlType,
    outcome,
    irregularityType,
    severity,
    revenueRaised: optionalMoney('revenueRaised', record.revenueRaised),
    date: date('date', record.date),
    office: office('office', record.office),
    partyIndex: declaration.partyIndex,
  };
}
