// Whether a partner recognises an operator, derived on every query from the operator's AEO
// authorisations (brought by the gateway from the AEO subgraph), its consent and the
// programme's dates, so nothing is stored twice and a suspension shows at once.
import type { ConsentDoc, PartnerOperatorDoc, ProgrammeDoc } from './models';
import type { AeoType } from './records';

export type RecognitionStatus = 'RECOGNISED' | 'NOT_ELIGIBLE_TYPE' | 'AEO_NOT_VALID' | 'NO_CONSENT' | 'AGREEMENT_NOT_IN_FORCE';

export interface Recognition {
  programme: ProgrammeDoc;
  status: RecognitionStatus;
  partnerIdentifier: string | null;
  reasons: string[];
}

export function inForce(programme: ProgrammeDoc, date: string): boolean {
  return programme.inForceFrom !== null && programme.inForceFrom <= date && (!programme.inForceUntil || date <= programme.inForceUntil);
}

/**
 * An EU operator (with an EU-issued AEO) gets one answer per programme. A partner's trader
 * gets one answer per programme that lists it: recognised while certified and in force.
 */
export function recognitionsOf(
  authorisations: readonly { type: AeoType; status: string }[],
  consent: ConsentDoc | null,
  partnerEntries: readonly PartnerOperatorDoc[],
  programmes: readonly ProgrammeDoc[],
  today: string,
): Recognition[] {
  if (partnerEntries.length > 0) {
    return partnerEntries.flatMap((entry): Recognition[] => {
      const programme = programmes.find((candidate) => candidate._id === entry.programme);
      if (!programme) return [];
      if (!inForce(programme, today)) {
        return [
          { programme, status: 'AGREEMENT_NOT_IN_FORCE', partnerIdentifier: entry.identifier, reasons: [`${programme.agreement} is not in force on ${today}`] },
        ];
      }
      const certified = entry.status === 'CERTIFIED';
      return [
        {
          programme,
          status: certified ? 'RECOGNISED' : 'AEO_NOT_VALID',
          partnerIdentifier: entry.identifier,
          reasons: [
            certified
              ? `certified by ${programme.name} since ${entry.certifiedFrom}`
              : `no longer certified by ${programme.name} since ${entry.certifiedUntil}`,
          ],
        },
      ];
    });
  }

  const valid = authorisations.filter((authorisation) => authorisation.status === 'VALID');
  return programmes.map((programme): Recognition => {
    const base = { programme, partnerIdentifier: null };
    if (!inForce(programme, today)) return { ...base, status: 'AGREEMENT_NOT_IN_FORCE', reasons: [`${programme.agreement} is not in force on ${today}`] };
    if (valid.length === 0) {
      const held = authorisations.map((authorisation) => `${authorisation.type} ${authorisation.status.toLowerCase()}`).join(', ');
      return { ...base, status: 'AEO_NOT_VALID', reasons: [held ? `no valid AEO authorisation (${held})` : 'no AEO authorisation'] };
    }
    const eligible = valid.filter((authorisation) => programme.recognisedAeoTypes.includes(authorisation.type));
    if (eligible.length === 0) {
      return {
        ...base,
        status: 'NOT_ELIGIBLE_TYPE',
        reasons: [
          `${programme.partnerCountry} recognises ${programme.recognisedAeoTypes.join(' and ')}, the operator holds ${valid.map((a) => a.type).join(', ')}`,
        ],
      };
    }
    if (!consent?.granted) {
      return { ...base, status: 'NO_CONSENT', reasons: [consent ? `consent to data exchange withdrawn on ${consent.date}` : 'no consent to data exchange'] };
    }
    return { ...base, status: 'RECOGNISED', reasons: [`valid ${eligible.map((a) => a.type).join(', ')}, consent given on ${consent.date}`] };
  });
}

/** The lane a filing travels on: same places and mode, with at least one of its parties taking part. */
export function matchingLane<TLane extends { origin: string; destination: string; transportMode: string; operators: string[]; status: string }>(
  lanes: readonly TLane[],
  filing: { transportMode: string | null; routes: readonly string[]; partyEoris: readonly string[] },
): TLane | null {
  return (
    lanes.find(
      (lane) =>
        lane.status !== 'CLOSED' &&
        lane.transportMode === filing.transportMode &&
        filing.routes.includes(`${lane.origin}-${lane.destination}`) &&
        lane.operators.some((operator) => filing.partyEoris.includes(operator)),
    ) ?? null
  );
}
