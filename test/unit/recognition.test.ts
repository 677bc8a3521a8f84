import { describe, expect, it } from 'vitest';
import type { ProgrammeDoc } from '../../subgraphs/mra/models';
import { checkPartnerIdentifier, MRA_PROGRAMMES } from '../../subgraphs/mra/programmes';
import { matchingLane, recognitionsOf } from '../../subgraphs/mra/recognition';

const programmes: ProgrammeDoc[] = MRA_PROGRAMMES.map(({ code, inForceUntil, ...rest }) => ({ _id: code, inForceUntil: inForceUntil ?? null, ...rest }));
const TODAY = '2026-11-26';
const statusIn = (code: string, result: ReturnType<typeof recognitionsOf>) => result.find((r) => r.programme._id === code)?.status;
const consent = { _id: 'DE1', granted: true, date: '2024-01-01' };

describe('recognition of an EU operator', () => {
  it('is RECOGNISED with a valid AEOS or AEOF and consent', () => {
    expect(statusIn('JP-AEO', recognitionsOf([{ type: 'AEOS', status: 'VALID' }], consent, [], programmes, TODAY))).toBe('RECOGNISED');
  });

  it('is NOT_ELIGIBLE_TYPE with only a valid AEOC', () => {
    expect(statusIn('JP-AEO', recognitionsOf([{ type: 'AEOC', status: 'VALID' }], consent, [], programmes, TODAY))).toBe('NOT_ELIGIBLE_TYPE');
  });

  it('is AEO_NOT_VALID when every authorisation is suspended, revoked or annulled, or there is none', () => {
    expect(statusIn('JP-AEO', recognitionsOf([{ type: 'AEOF', status: 'REVOKED' }], consent, [], programmes, TODAY))).toBe('AEO_NOT_VALID');
    expect(statusIn('JP-AEO', recognitionsOf([], consent, [], programmes, TODAY))).toBe('AEO_NOT_VALID');
  });

  it('is NO_CONSENT without consent, or after it was withdrawn', () => {
    expect(statusIn('JP-AEO', recognitionsOf([{ type: 'AEOF', status: 'VALID' }], null, [], programmes, TODAY))).toBe('NO_CONSENT');
    expect(statusIn('JP-AEO', recognitionsOf([{ type: 'AEOF', status: 'VALID' }], { ...consent, granted: false }, [], programmes, TODAY))).toBe('NO_CONSENT');
  });

  it('is AGREEMENT_NOT_IN_FORCE before an agreement applies, whatever the operator', () => {
    expect(statusIn('CA-PIP', recognitionsOf([{ type: 'AEOF', status: 'VALID' }], consent, [], programmes, TODAY))).toBe('AGREEMENT_NOT_IN_FORCE');
    expect(statusIn('CN-AEO', recognitionsOf([{ type: 'AEOF', status: 'VALID' }], consent, [], programmes, '2014-01-01'))).toBe('AGREEMENT_NOT_IN_FORCE');
  });
});

describe('partner identifiers', () => {
  it.each(MRA_PROGRAMMES.map((programme) => [programme.code, programme] as const))('%s accepts its own format only', (_, programme) => {
    expect(checkPartnerIdentifier(programme, programme.identifierExample).valid).toBe(true);
    expect(checkPartnerIdentifier(programme, programme.identifierExample.toLowerCase()).valid).toBe(false);
    expect(checkPartnerIdentifier(programme, `${programme.identifierExample} `).valid).toBe(false);
    for (const other of MRA_PROGRAMMES.filter(
      (candidate) => candidate.code !== programme.code && candidate.identifierPattern !== programme.identifierPattern,
    )) {
      if (new RegExp(programme.identifierPattern).test(other.identifierExample)) continue;
      expect(checkPartnerIdentifier(programme, other.identifierExample).valid, other.code).toBe(false);
    }
  });
});

describe('trade lanes', () => {
  const lane = { origin: 'CNSHA', destination: 'NLRTM', transportMode: 'SEA', operators: ['NL1'], status: 'ACTIVE' };
  it('match on places, mode and a participating party', () => {
    expect(matchingLane([lane], { transportMode: 'SEA', routes: ['CNSHA-NLRTM'], partyEoris: ['NL1', 'CN2'] })).toBe(lane);
    expect(matchingLane([lane], { transportMode: 'AIR', routes: ['CNSHA-NLRTM'], partyEoris: ['NL1'] })).toBeNull();
    expect(matchingLane([lane], { transportMode: 'SEA', routes: ['CNNGB-NLRTM'], partyEoris: ['NL1'] })).toBeNull();
    expect(matchingLane([lane], { transportMode: 'SEA', routes: ['CNSHA-NLRTM'], partyEoris: ['DE9'] })).toBeNull();
    expect(matchingLane([{ ...lane, status: 'CLOSED' }], { transportMode: 'SEA', routes: ['CNSHA-NLRTM'], partyEoris: ['NL1'] })).toBeNull();
  });
});
