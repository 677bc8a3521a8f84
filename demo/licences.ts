/**
 * Deterministic demo licences and certificates for the declarations that quote them (the KCS
 * declarations quote CHEDs, catch certificates and dual-use licences, see
 * kcs.ts, kcsSupportingDocuments).
 *
 * Rules:
 * - Every supporting document whose code denotes a licence (licenceTypesForDocument) and whose
 *   reference is well formed gets ONE licence record with that reference, issued to MATCH the
 *   item by default: the type the reference format names, holder = the importer's EORI, valid
 *   from 2 to 16 weeks before the acceptance date until 2 to 12 months after it, status VALID,
 *   a CHED with decision ACCEPTABLE_FOR_RELEASE, and one covered-goods line for the item's
 *   commodity (its 4-digit heading or its full code) in KGM, at least the item's net mass (a CHED
 *   exactly the consignment's mass rounded up to the kilogram, a catch certificate or a dual-use
 *   licence up to a third more or several times more). A reference quoted twice gets one licence.
 * - Then a stable hash of (seed, MRN, item number, reference), never of labels, gives about 1.5%
 *   of the documents each exactly ONE failure: NOT_FOUND (no licence issued), EXPIRED (validUntil
 *   before the acceptance date), NOT_YET_VALID (validFrom after it), CANCELLED (status
 *   CANCELLED), HOLDER_MISMATCH (held by another importer of the data), COMMODITY_NOT_COVERED
 *   (the line covers goods of another chapter), QUANTITY_EXCEEDED (less than the net mass; only
 *   where the net mass is positive) and REFUSED (decision REFUSED; CHEDs only). 1.5% rather than
 *   2%: with eight kinds, 2% each would leave fewer than 85% of the documents matching.
 * - WRONG_TYPE cannot be made here without changing the declaration (a reference names its
 *   type): it comes from the declarations, where a document code denotes another type than the
 *   reference (kcs.ts quotes about 1% of its CHED-Ps under the CHED-A code C640). Such a
 *   document gets its licence under the reference's type and no other failure.
 * - Usages: about half of the MATCHED CHEDs and catch certificates of items with a positive net
 *   mass record the item drawing its net mass (so quantityRemaining goes down).
 * - showcase: for each outcome, the example with the smallest (MRN, item number, reference);
 *   MISSING is an item that quotes none of the certificates its commodity needs (reference null).
 *
 * The result does not depend on the order of the declarations, except that licences and usages
 * come in the order of the documents that caused them.
 */
import type { DeclarationRecord, GoodsItemRecord } from '../subgraphs/declarations/records';
import { createRandom, type Random } from '../subgraphs/kit/random';
import { LICENCE_TYPES, type CoveredGoodsRecord, type LicenceRecord, type LicenceType, type LicenceUsageRecord } from '../subgraphs/licences/records';
import type { LicenceOutcome } from '../subgraphs/licences/reconcile';
import { checkLicenceReference, licenceTypesForDocument, requiredCertificates } from '../subgraphs/licences/references';

export type DemoLicenceOutcome = LicenceOutcome;

/** The failures the generator injects itself, in the order of their hash buckets. */
export const INJECTED_FAILURES = [
  'NOT_FOUND',
  'EXPIRED',
  'NOT_YET_VALID',
  'CANCELLED',
  'HOLDER_MISMATCH',
  'COMMODITY_NOT_COVERED',
  'QUANTITY_EXCEEDED',
  'REFUSED',
] as const satisfies readonly DemoLicenceOutcome[];

/** Share of the quoted documents given each injected failure. */
export const FAILURE_RATE = 0.015;

export interface ShowcaseItem {
  mrn: string;
  itemNumber: number;
  reference: string | null;
}

export interface LicenceDemoData {
  licences: LicenceRecord[];
  usages: LicenceUsageRecord[];
  showcase: Record<string, ShowcaseItem>;
}

const CHED_TYPES: ReadonlySet<LicenceType> = new Set(['CHED_A', 'CHED_P', 'CHED_PP', 'CHED_D']);

/** Competent authorities by licence kind and country; others get a generic name. */
const CHED_AUTHORITIES: Readonly<Record<string, string>> = {
  NL: 'NVWA (Netherlands Food and Consumer Product Safety Authority)',
  BE: 'FAVV-AFSCA (Federal Agency for the Safety of the Food Chain)',
  DE: 'Grenzkontrollstelle, Landesveterinärbehörde',
  FR: 'SIVEP (Service d’inspection vétérinaire et phytosanitaire aux frontières)',
};
const FISHERIES_AUTHORITIES: Readonly<Record<string, string>> = {
  NO: 'Directorate of Fisheries (Fiskeridirektoratet)',
  CN: 'Bureau of Fisheries, Ministry of Agriculture and Rural Affairs',
  RU: 'Federal Agency for Fishery (Rosrybolovstvo)',
  JP: 'Fisheries Agency of Japan',
  VN: 'Directorate of Fisheries (D-Fish)',
  US: 'NOAA Fisheries',
  MA: 'Département de la Pêche Maritime',
  TH: 'Department of Fisheries',
  TN: 'Direction Générale de la Pêche et de l’Aquaculture',
  CL: 'Servicio Nacional de Pesca y Acuicultura (SERNAPESCA)',
  PH: 'Bureau of Fisheries and Aquatic Resources (BFAR)',
  ID: 'Ministry of Marine Affairs and Fisheries (KKP)',
  KR: 'Ministry of Oceans and Fisheries',
  AR: 'Subsecretaría de Pesca y Acuicultura',
  IS: 'Directorate of Fisheries (Fiskistofa)',
};
const DUAL_USE_AUTHORITIES: Readonly<Record<string, string>> = {
  NL: 'Centrale Dienst voor In- en Uitvoer (CDIU)',
  DE: 'Bundesamt für Wirtschaft und Ausfuhrkontrolle (BAFA)',
  FR: 'Service des biens à double usage (SBDU)',
};

/** Covered commodities by licence type, for COMMODITY_NOT_COVERED (one of another chapter is used). */
const OTHER_GOODS: Readonly<Record<LicenceType, readonly string[]>> = {
  CHED_A: ['0301', '0407', '0106'],
  CHED_P: ['0201', '0303', '0406', '0504', '1604'],
  CHED_PP: ['0701', '1209', '0808'],
  CHED_D: ['0802', '1202', '0904'],
  CATCH_CERTIFICATE: ['1604', '1605', '0303'],
  DUAL_USE: ['9013', '8543', '8471'],
  CITES: ['4103', '9601', '0106'],
  FLEGT: ['4407', '4412', '9403'],
};

export function generateLicenceDemoRecords(declarations: readonly DeclarationRecord[], options: { seed?: number } = {}): LicenceDemoData {
  const seed = options.seed ?? 1;
  const importers = [...new Set(declarations.flatMap((d) => (d.importer.eori ? [d.importer.eori] : [])))].sort();
  const licences: LicenceRecord[] = [];
  const usages: LicenceUsageRecord[] = [];
  const showcase: Record<string, ShowcaseItem> = {};
  const issued = new Set<string>();

  const show = (outcome: DemoLicenceOutcome, example: ShowcaseItem) => {
    const current = showcase[outcome];
    if (current === undefined || compareExamples(example, current) < 0) showcase[outcome] = example;
  };

  for (const declaration of declarations) {
    const accepted = declaration.acceptanceDate.slice(0, 10);
    const holder = declaration.importer.eori ?? null;
    for (const item of declaration.items) {
      const quotedTypes = new Set<LicenceType>();
      for (const document of item.supportingDocuments ?? []) {
        const codeTypes = licenceTypesForDocument(document.type);
        if (codeTypes === undefined) continue;
        codeTypes.forEach((type) => quotedTypes.add(type));
        const type = referenceType(document.reference);
        if (type === undefined) continue; // a malformed reference: nothing could carry it
        const example = { mrn: declaration.mrn, itemNumber: item.itemNumber, reference: document.reference };
        if (issued.has(document.reference)) continue;

        const random = createRandom(`licence-demo:${seed}:${declaration.mrn}:${item.itemNumber}:${document.reference}`);
        let outcome: DemoLicenceOutcome = codeTypes.includes(type) ? injectedFailure(random.next()) : 'WRONG_TYPE';
        if (outcome === 'REFUSED' && !CHED_TYPES.has(type)) outcome = 'MATCHED';
        if (outcome === 'QUANTITY_EXCEEDED' && !(item.netMass > 0)) outcome = 'MATCHED';
        const hasOthers = importers.some((eori) => eori !== holder);
        if (outcome === 'HOLDER_MISMATCH' && !hasOthers) outcome = 'MATCHED';
        // No importer EORI: any holder mismatches, so the licence goes to another importer.
        if (holder === null && outcome === 'MATCHED' && hasOthers) outcome = 'HOLDER_MISMATCH';
        show(outcome, example);
        if (outcome === 'NOT_FOUND') continue;

        issued.add(document.reference);
        const licence = matchingLicence(type, document.reference, holder ?? '', accepted, item, random);
        switch (outcome) {
          case 'EXPIRED':
            licence.validFrom = addDays(accepted, -random.int(150, 400));
            licence.validUntil = addDays(accepted, -random.int(1, 60));
            break;
          case 'NOT_YET_VALID':
            licence.validFrom = addDays(accepted, random.int(1, 30));
            licence.validUntil = addDays(licence.validFrom, random.int(60, 365));
            break;
          case 'CANCELLED':
            licence.status = 'CANCELLED';
            break;
          case 'HOLDER_MISMATCH':
            licence.holder = anotherImporter(importers, holder, random);
            break;
          case 'COMMODITY_NOT_COVERED': {
            const chapter = item.commodityCode.slice(0, 2);
            const code = random.pick(OTHER_GOODS[type].filter((c) => !c.startsWith(chapter)));
            licence.goods = [{ ...firstLine(licence), commodityCode: code, description: null }];
            break;
          }
          case 'QUANTITY_EXCEEDED': {
            // 40% to 90% of the net mass, in grams: always less than it.
            const quantity = Math.floor(item.netMass * (0.4 + 0.5 * random.next()) * 1000) / 1000;
            licence.goods = [{ ...firstLine(licence), quantity }];
            break;
          }
          case 'REFUSED':
            licence.decision = 'REFUSED';
            break;
          default:
            break;
        }
        licences.push(licence);

        if (outcome === 'MATCHED' && (CHED_TYPES.has(type) || type === 'CATCH_CERTIFICATE') && item.netMass > 0 && random.chance(0.5)) {
          usages.push({
            kind: 'licenceUsage',
            reference: document.reference,
            mrn: declaration.mrn,
            itemNumber: item.itemNumber,
            quantity: item.netMass,
            date: declaration.acceptanceDate,
          });
        }
      }
      for (const requirement of requiredCertificates(item.commodityCode)) {
        if (!requirement.types.some((type) => quotedTypes.has(type))) {
          show('MISSING', { mrn: declaration.mrn, itemNumber: item.itemNumber, reference: null });
        }
      }
    }
  }
  return { licences, usages, showcase };
}

function injectedFailure(draw: number): DemoLicenceOutcome {
  const bucket = Math.floor(draw / FAILURE_RATE);
  return INJECTED_FAILURES[bucket] ?? 'MATCHED';
}

/** The licence type whose format the reference has, or undefined if it has none. */
export function referenceType(reference: string): LicenceType | undefined {
  return LICENCE_TYPES.find((type) => checkLicenceReference(type, reference).valid);
}

function matchingLicence(type: LicenceType, reference: string, holder: string, accepted: string, item: GoodsItemRecord, random: Random): LicenceRecord {
  const country = issuingCountry(type, reference);
  const ched = CHED_TYPES.has(type);
  const mass = Math.max(1, Math.ceil(item.netMass));
  let quantity: number;
  if (ched) quantity = random.chance(0.8) ? mass : Math.ceil(mass * (1 + 0.2 * random.next()));
  else if (type === 'DUAL_USE') quantity = mass * random.int(1, 5);
  else quantity = Math.ceil(mass * (1 + 0.3 * random.next()));
  const commodityCode = random.chance(0.5) ? item.commodityCode.slice(0, 4) : item.commodityCode;
  const validFrom = addDays(accepted, -random.int(14, 112));
  return {
    kind: 'licence',
    reference,
    type,
    issuingAuthority: authority(type, country),
    issuingCountry: country,
    holder,
    validFrom,
    validUntil: addDays(accepted, random.int(60, 365)),
    status: 'VALID',
    decision: ched ? 'ACCEPTABLE_FOR_RELEASE' : null,
    goods: [{ commodityCode, description: item.description ?? null, quantity, unit: 'KGM' }],
  };
}

/** A stable pick among the (sorted) importers other than the holder; some exists (checked before). */
function anotherImporter(importers: readonly string[], holder: string | null, random: Random): string {
  for (;;) {
    const eori = random.pick(importers);
    if (eori !== holder) return eori;
  }
}

function firstLine(licence: LicenceRecord): CoveredGoodsRecord {
  const line = licence.goods[0];
  if (line === undefined) throw new Error(`licence ${licence.reference} has no goods`);
  return line;
}

/** The country in a well-formed reference: CHEDP.NL..., NO-CC-..., CITES-FR-..., FLEGT-ID-... */
function issuingCountry(type: LicenceType, reference: string): string {
  if (CHED_TYPES.has(type)) return reference.split('.')[1] ?? '';
  const parts = reference.split('-');
  return (type === 'CITES' || type === 'FLEGT' ? parts[1] : parts[0]) ?? '';
}

function authority(type: LicenceType, country: string): string {
  if (CHED_TYPES.has(type)) return CHED_AUTHORITIES[country] ?? `Border control post veterinary and phytosanitary authority (${country})`;
  if (type === 'CATCH_CERTIFICATE') return FISHERIES_AUTHORITIES[country] ?? `National fisheries authority (${country})`;
  if (type === 'DUAL_USE') return DUAL_USE_AUTHORITIES[country] ?? `National export control authority (${country})`;
  if (type === 'CITES') return `CITES Management Authority (${country})`;
  return `FLEGT licensing authority (${country})`;
}

function addDays(date: string, days: number): string {
  const time = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(time).toISOString().slice(0, 10);
}

function compareExamples(a: ShowcaseItem, b: ShowcaseItem): number {
  if (a.mrn !== b.mrn) return a.mrn < b.mrn ? -1 : 1;
  if (a.itemNumber !== b.itemNumber) return a.itemNumber - b.itemNumber;
  return (a.reference ?? '') < (b.reference ?? '') ? -1 : (a.reference ?? '') > (b.reference ?? '') ? 1 : 0;
}
