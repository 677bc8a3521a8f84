import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SHOWCASE_EORIS, generateAeoDemoData, showcaseOperators, type AeoDemoData, type DemoAuthorisation } from '../../demo/aeo';
import { EU_MEMBER_STATES } from '../../subgraphs/kit/countries';
import { checkAeoAuthorisationNumber, checkEori } from '../../subgraphs/kit/identifiers';

const EU = new Set(EU_MEMBER_STATES);

function currentStatus(authorisation: DemoAuthorisation): string | undefined {
  return authorisation.history.at(-1)?.status;
}

describe('AEO demo data', () => {
  let data: AeoDemoData;

  beforeAll(() => {
    data = generateAeoDemoData();
  });

  it('is deterministic for a given seed', () => {
    expect(generateAeoDemoData({ seed: 7, operators: 200 })).toEqual(generateAeoDemoData({ seed: 7, operators: 200 }));
    expect(generateAeoDemoData({ seed: 8, operators: 200 })).not.toEqual(generateAeoDemoData({ seed: 7, operators: 200 }));
    // A smaller data set is the start of a larger one, so examples survive a change of size.
    expect(generateAeoDemoData({ operators: 50 }).operators).toEqual(data.operators.slice(0, 50));
  });

  it('generates about 3000 operators by default, a quarter of them from third countries', () => {
    expect(data.operators).toHaveLength(3000);
    const thirdCountry = data.operators.filter((operator) => !EU.has(operator.country)).length;
    expect(thirdCountry / data.operators.length).toBeGreaterThan(0.2);
    expect(thirdCountry / data.operators.length).toBeLessThan(0.3);
    for (const country of EU_MEMBER_STATES) {
      expect(
        data.operators.some((operator) => operator.country === country),
        country,
      ).toBe(true);
    }
  });

  it('gives every operator a valid and unique EORI', () => {
    for (const operator of data.operators) {
      expect(checkEori(operator.eori), operator.eori).toEqual({ valid: true, value: operator.eori });
      expect(operator.eori).toMatch(/^[A-Z]{2}[A-Z0-9]{1,15}$/);
      expect(operator.eori.slice(0, 2)).toBe(operator.country);
      expect(operator.address.country).toBe(operator.country);
    }
    expect(new Set(data.operators.map((operator) => operator.eori)).size).toBe(data.operators.length);
  });

  it('gives operators mostly distinct names', () => {
    expect(new Set(data.operators.map((operator) => operator.name)).size).toBe(data.operators.length);
  });

  it('gives every authorisation a valid number', () => {
    for (const authorisation of data.authorisations) {
      const { number } = authorisation;
      expect(checkAeoAuthorisationNumber(number), number).toEqual({ valid: true, value: number });
      expect(number.startsWith(authorisation.issuingCountry + authorisation.type), number).toBe(true);
    }
    expect(new Set(data.authorisations.map((authorisation) => authorisation.number)).size).toBe(data.authorisations.length);
  });

  it('keeps AEO holders a minority with AEOF the most common type', () => {
    const established = data.operators.filter((operator) => EU.has(operator.country)).length;
    const holders = new Set(data.authorisations.map((authorisation) => authorisation.holder)).size;
    expect(holders / established).toBeGreaterThan(0.1);
    expect(holders / established).toBeLessThan(0.18);

    const byType = { AEOF: 0, AEOC: 0, AEOS: 0 };
    for (const authorisation of data.authorisations) byType[authorisation.type]++;
    expect(byType.AEOF).toBeGreaterThan(byType.AEOC);
    expect(byType.AEOC).toBeGreaterThan(byType.AEOS);

    const valid = data.authorisations.filter((authorisation) => currentStatus(authorisation) === 'VALID').length;
    expect(valid / data.authorisations.length).toBeGreaterThan(0.75);
    for (const status of ['SUSPENDED', 'REVOKED', 'ANNULLED']) {
      expect(
        data.authorisations.some((authorisation) => currentStatus(authorisation) === status),
        status,
      ).toBe(true);
    }
  });

  it('records a history that starts VALID at validFrom and ends at the current status with increasing dates', () => {
    for (const authorisation of data.authorisations) {
      const { history, validFrom, number } = authorisation;
      expect(validFrom >= '2009-01-01' && validFrom <= '2025-12-31', number).toBe(true);
      expect(history[0], number).toEqual({ status: 'VALID', date: validFrom, reason: 'Authorisation granted' });
      for (let i = 1; i < history.length; i++) {
        const previous = history[i - 1];
        const entry = history[i];
        expect(entry && previous && entry.date > previous.date, number).toBe(true);
        expect(entry && previous && entry.status !== previous.status, number).toBe(true);
        expect(entry?.reason, number).not.toBe('');
      }
      expect((history.at(-1)?.date ?? '') <= '2026-11-01', number).toBe(true);
      for (const entry of history) expect(entry.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    // Some valid authorisations went through a suspension and came back.
    const reinstated = data.authorisations.filter((a) => currentStatus(a) === 'VALID' && a.history.some((entry) => entry.status === 'SUSPENDED'));
    expect(reinstated.length).toBeGreaterThan(0);
  });

  it('gives authorisations only to operators established in a Member State', () => {
    const operators = new Map(data.operators.map((operator) => [operator.eori, operator]));
    for (const authorisation of data.authorisations) {
      const holder = operators.get(authorisation.holder);
      expect(holder, authorisation.number).toBeDefined();
      expect(EU.has(holder?.country ?? ''), authorisation.number).toBe(true);
      expect(authorisation.issuingCountry).toBe(holder?.country);
    }
  });

  it('lets a holder replace an earlier authorisation, with at most one in force at a time', () => {
    const byHolder = new Map<string, DemoAuthorisation[]>();
    for (const authorisation of data.authorisations) {
      byHolder.set(authorisation.holder, [...(byHolder.get(authorisation.holder) ?? []), authorisation]);
    }
    const multiple = [...byHolder.values()].filter((held) => held.length > 1);
    expect(multiple.length).toBeGreaterThan(0);
    for (const held of multiple) {
      const [earlier, later] = held;
      expect(currentStatus(earlier as DemoAuthorisation)).toBe('REVOKED');
      expect(earlier?.history.at(-1)?.date).toBe(later?.validFrom);
    }
  });

  it('exposes showcase operators that README examples can cite', () => {
    const showcase = showcaseOperators(data);
    expect({
      validAeof: showcase.validAeof.eori,
      suspended: showcase.suspended.eori,
      noAuthorisation: showcase.noAuthorisation.eori,
      thirdCountry: showcase.thirdCountry.eori,
    }).toEqual(DEMO_SHOWCASE_EORIS);

    const held = (eori: string): DemoAuthorisation[] => data.authorisations.filter((a) => a.holder === eori);
    expect(held(DEMO_SHOWCASE_EORIS.validAeof).some((a) => a.type === 'AEOF' && currentStatus(a) === 'VALID')).toBe(true);
    expect(held(DEMO_SHOWCASE_EORIS.suspended).some((a) => currentStatus(a) === 'SUSPENDED')).toBe(true);
    expect(held(DEMO_SHOWCASE_EORIS.noAuthorisation)).toEqual([]);
    expect(EU.has(showcase.noAuthorisation.country)).toBe(true);
    expect(EU.has(showcase.thirdCountry.country)).toBe(false);
    // The roles exist whatever the seed, as long as there are a few operators.
    expect(() => showcaseOperators(generateAeoDemoData({ seed: 1, operators: 4 }))).not.toThrow();
  });
});
