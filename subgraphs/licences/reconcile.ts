/**
 * Reconciles a declaration's goods item with the licences and certificates it quotes, and
 * derives a release / hold / refuse decision with reasons (after DEFRA's trade imports decision
 * deriver, which does this for CHEDs; here for every licence type).
 *
 * Rules:
 * - Only supporting documents whose type code denotes a licence (licenceTypesForDocument) are
 *   checked, one LicenceCheck per such document. Other documents (invoices, ...) are ignored.
 * - Each quoted licence is tested for every problem below; all problems found are listed in the
 *   check's `reasons`, and the outcome is the most fundamental one, in this precedence:
 *
 *     NOT_FOUND > WRONG_TYPE > REFUSED > CANCELLED > EXPIRED > NOT_YET_VALID
 *       > HOLDER_MISMATCH > COMMODITY_NOT_COVERED > QUANTITY_EXCEEDED; otherwise MATCHED.
 *
 *   NOT_FOUND             no licence has the quoted reference (nothing else can be checked).
 *   WRONG_TYPE            the licence's type is not one the document code denotes.
 *   REFUSED               a CHED whose border control post decision is REFUSED.
 *   CANCELLED             stored status CANCELLED, and also SUSPENDED (no outcome of its own):
 *                         the reason says which ("licence is cancelled" / "licence is suspended").
 *   EXPIRED               the acceptance date is after validUntil (inclusive).
 *   NOT_YET_VALID         the acceptance date is before validFrom.
 *   HOLDER_MISMATCH       the importer's EORI is not the holder (or no importer is declared).
 *   COMMODITY_NOT_COVERED no covered-goods line's commodityCode is a prefix of the item's code.
 *   QUANTITY_EXCEEDED     on the matching line (the longest matching prefix; first on a tie),
 *                         quantityRemaining plus what this very item (mrn + itemNumber) already
 *                         drew from that line is less than the item's quantity: net mass for
 *                         KGM, supplementary units for NAR. A NAR line with no supplementary
 *                         units declared is QUANTITY_EXCEEDED too: the quantity cannot be shown
 *                         to be within the licence.
 * - Validity dates are judged at the declaration's acceptance date (its first 10 characters,
 *   so a timestamp works); status, decision and quantities are live. USED is not a problem by
 *   itself: the quantity check decides.
 * - MISSING: for each requirement of requiredCertificates(commodityCode) that no quoted document
 *   can meet (quoted = a licence document whose code denotes one of the required types,
 *   whatever its outcome), a check with documentType and reference null, the requirement's
 *   first type and its reason.
 * - licenceType of a check: the licence's own type when found; otherwise the type the
 *   document code denotes (null if it denotes several).
 * - Decision: REFUSE if any check is REFUSED; else HOLD if any check is not MATCHED; else
 *   RELEASE. `reasons` has one line per check ("CHEDP.FR.2025.0001234: expired",
 *   "missing CATCH_CERTIFICATE: fish (chapter 03) needs a catch certificate"); an item with no
 *   licence documents and no requirement is released with no checks and no reasons.
 */
import type { ChedDecision, LicenceStatus, LicenceType, StoredLicenceStatus } from './records';
import { checkLicenceReference, licenceTypesForDocument, requiredCertificates } from './references';

export type LicenceOutcome =
  | 'MATCHED'
  | 'NOT_FOUND'
  | 'WRONG_TYPE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'CANCELLED'
  | 'HOLDER_MISMATCH'
  | 'COMMODITY_NOT_COVERED'
  | 'QUANTITY_EXCEEDED'
  | 'REFUSED'
  | 'MISSING';

export type ItemDecision = 'RELEASE' | 'HOLD' | 'REFUSE';

export interface CoveredGoods {
  commodityCode: string;
  quantity: number;
  unit: 'KGM' | 'NAR';
  quantityRemaining: number;
}

export interface LicenceUsage {
  mrn: string;
  itemNumber: number;
  quantity: number;
  /** Index of the covered-goods line drawn on. */
  line: number;
}

export interface LicenceState {
  reference: string;
  type: LicenceType;
  holder: string;
  status: StoredLicenceStatus;
  decision: ChedDecision | null;
  validFrom: string;
  validUntil: string;
  goods: CoveredGoods[];
  usages: LicenceUsage[];
}

export interface GoodsItemFacts {
  mrn: string;
  itemNumber: number;
  commodityCode: string;
  netMass: number;
  supplementaryUnits: number | null;
  supportingDocuments: { type: string; reference: string }[];
  importerEori: string | null;
  acceptanceDate: string;
}

export interface LicenceCheck {
  documentType: string | null;
  reference: string | null;
  licenceType: LicenceType | null;
  outcome: LicenceOutcome;
  reasons: string[];
}

export interface ItemLicenceResult {
  checks: LicenceCheck[];
  decision: ItemDecision;
  reasons: string[];
}

/** Most fundamental first. */
const PRECEDENCE: readonly LicenceOutcome[] = [
  'NOT_FOUND',
  'WRONG_TYPE',
  'REFUSED',
  'CANCELLED',
  'EXPIRED',
  'NOT_YET_VALID',
  'HOLDER_MISMATCH',
  'COMMODITY_NOT_COVERED',
  'QUANTITY_EXCEEDED',
];

type Problem = { outcome: LicenceOutcome; reason: string };

/**
 * The status on a date: a cancelled or suspended licence keeps that status; otherwise (VALID or
 * USED) it is EXPIRED once the date is after validUntil.
 */
export function licenceStatusOn(licence: Pick<LicenceState, 'status' | 'validUntil'>, date: string): LicenceStatus {
  if (licence.status === 'CANCELLED' || licence.status === 'SUSPENDED') return licence.status;
  return day(date) > licence.validUntil ? 'EXPIRED' : licence.status;
}

export function checkGoodsItem(item: GoodsItemFacts, licences: ReadonlyMap<string, LicenceState>): ItemLicenceResult {
  const checks: LicenceCheck[] = [];
  const quotedTypes = new Set<LicenceType>();

  for (const document of item.supportingDocuments) {
    const types = licenceTypesForDocument(document.type);
    if (types === undefined) continue;
    for (const type of types) quotedTypes.add(type);
    checks.push(checkDocument(item, document, types, licences.get(document.reference)));
  }

  for (const requirement of requiredCertificates(item.commodityCode)) {
    if (requirement.types.some((type) => quotedTypes.has(type))) continue;
    checks.push({
      documentType: null,
      reference: null,
      licenceType: requirement.types[0] ?? null,
      outcome: 'MISSING',
      reasons: [requirement.reason],
    });
  }

  return { checks, decision: decide(checks), reasons: checks.map(summary) };
}

function checkDocument(
  item: GoodsItemFacts,
  document: { type: string; reference: string },
  types: readonly LicenceType[],
  licence: LicenceState | undefined,
): LicenceCheck {
  const base = { documentType: document.type, reference: document.reference };
  if (licence === undefined) {
    const reasons = [`no licence or certificate has the reference ${document.reference}`];
    const formats = types.map((type) => ({ type, result: checkLicenceReference(type, document.reference) }));
    if (formats.every(({ result }) => !result.valid)) {
      for (const { type, result } of formats) {
        if (!result.valid) reasons.push(`not a valid ${type} reference: ${result.reason}`);
      }
    }
    return { ...base, licenceType: types.length === 1 ? (types[0] ?? null) : null, outcome: 'NOT_FOUND', reasons };
  }

  const problems = licenceProblems(item, document.type, types, licence);
  const outcome = PRECEDENCE.find((candidate) => problems.some((problem) => problem.outcome === candidate)) ?? 'MATCHED';
  return {
    ...base,
    licenceType: licence.type,
    outcome,
    reasons: problems.length === 0 ? [matchedReason(item, licence)] : problems.map((problem) => problem.reason),
  };
}

function licenceProblems(item: GoodsItemFacts, documentType: string, types: readonly LicenceType[], licence: LicenceState): Problem[] {
  const problems: Problem[] = [];
  const accepted = day(item.acceptanceDate);

  if (!types.includes(licence.type)) {
    problems.push({
      outcome: 'WRONG_TYPE',
      reason: `document code ${documentType} quotes a ${types.join(' or ')}, but ${licence.reference} is a ${licence.type}`,
    });
  }
  if (licence.decision === 'REFUSED') {
    problems.push({ outcome: 'REFUSED', reason: 'the border control post refused the consignment' });
  }
  if (licence.status === 'CANCELLED' || licence.status === 'SUSPENDED') {
    problems.push({ outcome: 'CANCELLED', reason: `licence is ${licence.status.toLowerCase()}` });
  }
  if (accepted > licence.validUntil) {
    problems.push({
      outcome: 'EXPIRED',
      reason: `valid until ${licence.validUntil}, declaration accepted ${accepted}`,
    });
  }
  if (accepted < licence.validFrom) {
    problems.push({
      outcome: 'NOT_YET_VALID',
      reason: `valid from ${licence.validFrom}, declaration accepted ${accepted}`,
    });
  }
  if (item.importerEori !== licence.holder) {
    problems.push({
      outcome: 'HOLDER_MISMATCH',
      reason:
        item.importerEori === null
          ? `held by ${licence.holder}, but the declaration names no importer`
          : `held by ${licence.holder}, but the importer is ${item.importerEori}`,
    });
  }

  const lineIndex = matchingLine(licence.goods, item.commodityCode);
  const line = lineIndex === undefined ? undefined : licence.goods[lineIndex];
  if (lineIndex === undefined || line === undefined) {
    const covered = licence.goods.map((goods) => goods.commodityCode).join(', ') || 'nothing';
    problems.push({
      outcome: 'COMMODITY_NOT_COVERED',
      reason: `commodity ${item.commodityCode} is not covered (covers ${covered})`,
    });
    return problems;
  }

  const needed = line.unit === 'KGM' ? item.netMass : item.supplementaryUnits;
  if (needed === null) {
    problems.push({
      outcome: 'QUANTITY_EXCEEDED',
      reason: `the licence counts ${line.commodityCode} in NAR (items), but the declaration gives no supplementary units`,
    });
    return problems;
  }
  const ownDrawn = licence.usages
    .filter((usage) => usage.mrn === item.mrn && usage.itemNumber === item.itemNumber && usage.line === lineIndex)
    .reduce((sum, usage) => sum + usage.quantity, 0);
  const available = line.quantityRemaining + ownDrawn;
  if (needed > available) {
    const own = ownDrawn > 0 ? ` (including ${ownDrawn} ${line.unit} this item already drew)` : '';
    problems.push({
      outcome: 'QUANTITY_EXCEEDED',
      reason: `needs ${needed} ${line.unit} of ${line.commodityCode}, ${available} ${line.unit} available${own}`,
    });
  }
  return problems;
}

/** The covered-goods line for a commodity: the longest matching prefix, the first on a tie. */
function matchingLine(goods: readonly CoveredGoods[], commodityCode: string): number | undefined {
  let best: number | undefined;
  goods.forEach((line, index) => {
    if (!commodityCode.startsWith(line.commodityCode)) return;
    const current = best === undefined ? undefined : goods[best];
    if (current === undefined || line.commodityCode.length > current.commodityCode.length) best = index;
  });
  return best;
}

function matchedReason(item: GoodsItemFacts, licence: LicenceState): string {
  return `${licence.type} ${licence.reference} covers commodity ${item.commodityCode} for ${licence.holder} until ${licence.validUntil}`;
}

function decide(checks: readonly LicenceCheck[]): ItemDecision {
  if (checks.some((check) => check.outcome === 'REFUSED')) return 'REFUSE';
  if (checks.some((check) => check.outcome !== 'MATCHED')) return 'HOLD';
  return 'RELEASE';
}

function summary(check: LicenceCheck): string {
  if (check.outcome === 'MISSING') return `missing ${check.licenceType ?? 'certificate'}: ${check.reasons.join('; ')}`;
  return `${check.reference ?? check.licenceType ?? 'licence'}: ${check.outcome.toLowerCase().replace(/_/g, ' ')}`;
}

/** YYYY-MM-DD of a date or timestamp. */
function day(date: string): string {
  return date.slice(0, 10);
}
