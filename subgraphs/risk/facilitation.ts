// Facilitation and licence findings: trusted traders get fewer controls, goods whose licences or
// certificates do not match get more. Weights are policy, in log-odds.
import type { AeoFacts, FilingFeatures } from './model/features';
import type { Reason } from './reasons';

export const FACILITATION_WEIGHTS = {
  /** A valid authorisation of the type the check is about. */
  aeo: -0.7,
  /** The EU recognises the seller (consignor) as a partner programme's certified trader. */
  mutualRecognition: -0.4,
  /** Per licence or certificate outcome other than MATCHED, once per outcome. */
  licenceNotMatched: 1.0,
} as const;

/**
 * The AEO types that facilitate a check: customs (fiscal) risk on a declaration is the AEOC's
 * domain, safety and security on an ENS the AEOS's; an AEOF is both.
 */
export const FACILITATING_TYPES: Readonly<Record<FilingFeatures['kind'], readonly AeoFacts['type'][]>> = {
  DECLARATION: ['AEOC', 'AEOF'],
  ENS: ['AEOS', 'AEOF'],
};

export function facilitation(features: FilingFeatures): Reason[] {
  const reasons: Reason[] = [];
  const role = features.kind === 'DECLARATION' ? 'importer' : 'consignee';
  const valid = features.importerAeo.find((aeo) => aeo.status === 'VALID' && FACILITATING_TYPES[features.kind].includes(aeo.type));
  if (valid && features.importer) {
    reasons.push({
      code: 'AEO_FACILITATION',
      description: `The ${role} holds a valid ${valid.type} authorisation`,
      weight: FACILITATION_WEIGHTS.aeo,
      evidence: { source: 'AEO_AUTHORISATION', reference: features.importer, detail: `${valid.type} ${valid.status}` },
    });
  }
  if (features.recognisedBy.length > 0 && features.seller) {
    const partner = features.kind === 'DECLARATION' ? 'seller' : 'consignor';
    reasons.push({
      code: 'MRA_RECOGNITION',
      description: `The ${partner} is a certified trader the EU recognises under a mutual-recognition agreement`,
      weight: FACILITATION_WEIGHTS.mutualRecognition,
      evidence: { source: 'MUTUAL_RECOGNITION', reference: features.seller, detail: `certified under ${features.recognisedBy.join(', ')}` },
    });
  }
  const outcomes = new Map<string, number[]>();
  for (const item of features.items) {
    for (const outcome of item.licenceOutcomes) {
      if (outcome !== 'MATCHED') outcomes.set(outcome, [...(outcomes.get(outcome) ?? []), item.itemNumber]);
    }
  }
  for (const [outcome, items] of [...outcomes].sort(([a], [b]) => (a < b ? -1 : 1))) {
    reasons.push({
      code: 'LICENCE_NOT_MATCHED',
      description: `A licence or certificate check found ${outcome.toLowerCase().replace(/_/g, ' ')}`,
      weight: FACILITATION_WEIGHTS.licenceNotMatched,
      evidence: { source: 'LICENCE_CHECK', reference: outcome, detail: `item${items.length > 1 ? 's' : ''} ${items.join(', ')}` },
    });
  }
  return reasons;
}
