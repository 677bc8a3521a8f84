// A reason is one piece of an assessment's explanation: what moved the score, by how much, and
// what it rests on. Weights are log-odds, so reasons add up.

export type EvidenceSource =
  | 'LEARNED_PROFILE'
  | 'FAIR_PRICE_BAND'
  | 'CREDIBILITY_CHECK'
  | 'TARGETING_RULE'
  | 'AEO_AUTHORISATION'
  | 'MUTUAL_RECOGNITION'
  | 'LICENCE_CHECK'
  | 'RANDOM_SELECTION';

export interface Reason {
  code: string;
  description: string;
  /** Log-odds added to the score; negative lowers the risk. */
  weight: number;
  evidence: { source: EvidenceSource; reference: string; detail: string };
}

export type Lane = 'GREEN' | 'YELLOW' | 'RED';

export const LANE_ORDER: readonly Lane[] = ['GREEN', 'YELLOW', 'RED'];

export function higherLane(a: Lane, b: Lane): Lane {
  return LANE_ORDER.indexOf(a) >= LANE_ORDER.indexOf(b) ? a : b;
}

export function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
