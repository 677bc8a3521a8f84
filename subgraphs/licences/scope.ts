// Which licences a caller may see and change (kit/auth/rows.ts for the roles' reach).
import { describeCaller, eoriOfState, forbidden, noRows, seesAllRows } from '../kit/auth/rows';
import { licenceFamily, type Caller } from '../kit/auth/roles';
import { allOf } from '../kit/pagination';
import { found } from '../kit/persistence';
import type { LicenceRecordDoc, LicencesModels } from './models';
import { LICENCE_TYPES, type LicenceType } from './records';

type Filter = Record<string, unknown>;

/** The licence types one authority answers for (CHED: the four CHED types). */
export function typesOfFamily(family: string): LicenceType[] {
  return LICENCE_TYPES.filter((type) => licenceFamily(type) === family);
}

/**
 * The licences a caller may look up directly: a licensing authority its family of its Member
 * State; customs officers and risk analysts those its Member State issued; an AEO auditor those
 * held by operators established in its Member State (the EORI's prefix). Officials also read any
 * licence a declaration they may see quotes, through GoodsItem.licenceChecks.
 */
export function licenceFilter(caller: Caller): Filter {
  if (seesAllRows(caller)) return {};
  const state = caller.memberState;
  if (!state) return noRows();
  switch (caller.role) {
    case 'licensing-authority':
      return caller.licenceType ? { issuingCountry: state, type: { $in: typesOfFamily(caller.licenceType) } } : noRows();
    case 'customs-officer':
    case 'risk-analyst':
      return { issuingCountry: state };
    case 'aeo-auditor':
      return { holder: eoriOfState(state) };
    default:
      return noRows();
  }
}

/** Whether a caller reads the licences quoted by the goods items it reaches, whoever issued them. */
export function readsQuotedLicences(caller: Caller): boolean {
  return seesAllRows(caller) || caller.role === 'customs-officer' || caller.role === 'risk-analyst';
}

/** Licences are written by the service and by the authority of their family and Member State. */
export function requireLicenceWritable(caller: Caller, licence: Pick<LicenceRecordDoc, '_id' | 'type' | 'issuingCountry'>): void {
  if (caller.role === 'service') return;
  const family = licenceFamily(licence.type);
  if (caller.role === 'licensing-authority' && caller.licenceType === family && caller.memberState === licence.issuingCountry) return;
  const mayWrite =
    caller.role === 'licensing-authority' ? `only ${caller.licenceType ?? 'no'} licences issued by ${caller.memberState ?? 'no Member State'}` : 'no licences';
  throw forbidden(`the licence ${licence._id} is a ${family} licence issued by ${licence.issuingCountry}; ${describeCaller(caller)} may write ${mayWrite}`, {
    reference: licence._id,
    licenceType: family,
    issuingCountry: licence.issuingCountry,
  });
}

/**
 * Reads the stored licence, among those the caller may look up, to check it is the caller's to
 * change. One it may not look up is NOT_FOUND, exactly as an unknown reference: a refusal never
 * tells that another authority's licence exists. One it may look up but not change is FORBIDDEN.
 */
export async function requireStoredLicenceWritable(models: LicencesModels, caller: Caller, reference: string): Promise<void> {
  if (caller.role === 'service') return;
  const visible = await models.licences
    .findOne(allOf({ _id: reference }, licenceFilter(caller)), { type: 1, issuingCountry: 1 })
    .lean<LicenceRecordDoc>()
    .exec();
  requireLicenceWritable(caller, found(visible, 'licence', reference));
}
