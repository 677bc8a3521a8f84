// Credibility checks: facts in a declaration that cannot be right, or hardly. A failed check
// always shows as a reason and sends the filing to a documentary check at least; how much it
// moves the score is left to what past controls of such filings found (the learned model), so a
// check that controls have not borne out does not crowd the red lane.
import { bandFor, undervaluation, valuePerKg, type FairPriceModel } from './model/fair-price';
import { bandEvidence } from './model/score';
import type { FilingFeatures } from './model/features';
import type { Lane, Reason } from './reasons';

/** Gross above this multiple of net is implausible for anything but samples. */
export const GROSS_TO_NET_LIMIT = 10;

export interface CheckFinding {
  reason: Reason;
  minimumLane: Lane;
}

export function credibilityChecks(features: FilingFeatures, fairPrice: FairPriceModel | null): CheckFinding[] {
  if (features.kind !== 'DECLARATION') return [];
  const findings: CheckFinding[] = [];
  const flag = (code: string, description: string, itemNumber: number, detail: string, source: Reason['evidence']['source'] = 'CREDIBILITY_CHECK') =>
    findings.push({ reason: { code, description, weight: 0, evidence: { source, reference: `item ${itemNumber}`, detail } }, minimumLane: 'YELLOW' });

  for (const item of features.items) {
    const { itemNumber, netMass, grossMass, valueEur } = item;
    if (netMass !== null && netMass <= 0) flag('ZERO_NET_MASS', 'The net mass is zero', itemNumber, `net mass ${netMass} kg`);
    if (valueEur !== null && valueEur <= 0) flag('ZERO_VALUE', 'The statistical value is zero', itemNumber, `statistical value ${valueEur} EUR`);
    if (netMass !== null && grossMass !== null && netMass > 0 && grossMass > 0) {
      if (netMass > grossMass) flag('NET_ABOVE_GROSS', 'The net mass exceeds the gross mass', itemNumber, `net ${netMass} kg, gross ${grossMass} kg`);
      else if (grossMass > GROSS_TO_NET_LIMIT * netMass) {
        flag(
          'GROSS_FAR_ABOVE_NET',
          `The gross mass is more than ${GROSS_TO_NET_LIMIT} times the net mass`,
          itemNumber,
          `net ${netMass} kg, gross ${grossMass} kg`,
        );
      }
    }
    const perKg = valuePerKg(item);
    const band = fairPrice && perKg !== null ? bandFor(fairPrice, item.commodityCode, item.originCountry) : null;
    if (band && perKg !== null && undervaluation(band, perKg).belowFence) {
      flag(
        'UNDERVALUATION',
        'The value per kilogram is far below the fair-price band (possible undervaluation)',
        itemNumber,
        bandEvidence(band, perKg),
        'FAIR_PRICE_BAND',
      );
    }
  }
  return findings;
}
