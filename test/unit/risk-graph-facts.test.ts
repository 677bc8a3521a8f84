import { Kind, parse, visit, type FieldNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DECLARATIONS_BY_MRN, declarationFeatures, LEARNING_CHANGES, SCREENING_CHANGES, type DeclarationFacts } from '../../subgraphs/risk/graph-facts';

/** The fields an operation selects directly under every `items` field it asks for. */
function itemFields(operation: string): string[][] {
  const found: string[][] = [];
  visit(parse(operation), {
    Field(field: FieldNode) {
      if (field.name.value !== 'items') return;
      found.push((field.selectionSet?.selections ?? []).flatMap((selection) => (selection.kind === Kind.FIELD ? [selection.name.value] : [])));
    },
  });
  return found;
}

function declaration(nationalData: DeclarationFacts['nationalData'], items: DeclarationFacts['items'][number]['nationalData'][]): DeclarationFacts {
  return {
    mrn: '21NL00000000000012',
    acceptanceDate: '2021-01-04',
    officeOfPresentation: 'NL000030',
    transportMode: 'SEA',
    countryOfDispatch: 'CN',
    parties: { importer: { eori: 'NL123456789', identificationNumber: null }, declarant: null, seller: null },
    nationalData,
    controlResults: [],
    items: items.map((itemNationalData, index) => ({
      itemNumber: index + 1,
      commodityCode: '61091000',
      originCountry: 'CN',
      netMass: 10,
      grossMass: 12,
      statisticalValue: { amount: 100, currency: 'EUR' },
      nationalData: itemNationalData,
      licenceChecks: [],
    })),
  };
}

describe('the facts risk reads from the graph', () => {
  it("asks for the items' national data wherever it reads items, for screening and for learning", () => {
    for (const operation of [DECLARATIONS_BY_MRN, SCREENING_CHANGES, LEARNING_CHANGES]) {
      const selections = itemFields(operation);
      expect(selections.length).toBeGreaterThan(0);
      for (const fields of selections) expect(fields).toContain('nationalData');
    }
  });

  it('gives a declaration the national data its items carry (KCS keeps the tax rate, tax type and origin indicator there)', () => {
    const features = declarationFeatures(
      declaration(
        [{ key: 'courierId', value: 'C1' }],
        [
          [
            { key: 'taxRate', value: 'FEU1' },
            { key: 'taxType', value: 'A' },
            { key: 'originIndicator', value: 'B' },
          ],
        ],
      ),
    );
    expect(features.nationalData).toEqual({ courierId: 'C1', taxRate: 'FEU1', taxType: 'A', originIndicator: 'B' });
  });

  it("keeps the declaration's value over an item's, and the first item's over later items'", () => {
    const features = declarationFeatures(
      declaration(
        [{ key: 'taxType', value: 'DECLARATION' }],
        [
          [
            { key: 'taxType', value: 'ITEM 1' },
            { key: 'taxRate', value: 'ITEM 1' },
          ],
          [{ key: 'taxRate', value: 'ITEM 2' }],
        ],
      ),
    );
    expect(features.nationalData).toEqual({ taxType: 'DECLARATION', taxRate: 'ITEM 1' });
  });
});
