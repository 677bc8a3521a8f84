// Loads the deterministic demo registry. Upserts by natural key, so seeding twice changes nothing.
import { upsertByKey, type UpsertCounts } from '../kit/upsert';
import { generateAeoDemoData, type AeoDemoData } from './demo-data';
import { aeoTagsOf, type AeoModels, type AuthorisationDoc, type OperatorDoc } from './models';

export async function seedAeo(
  models: AeoModels,
  data: AeoDemoData = generateAeoDemoData(),
): Promise<{ operators: UpsertCounts; authorisations: UpsertCounts }> {
  const authorisations: AuthorisationDoc[] = data.authorisations.map((authorisation) => ({
    _id: authorisation.number,
    holder: authorisation.holder,
    type: authorisation.type,
    status: authorisation.history.at(-1)?.status ?? 'VALID',
    issuingCountry: authorisation.issuingCountry,
    validFrom: authorisation.validFrom,
    history: authorisation.history.map((change) => ({ ...change, recordedBy: 'demo-seed' })),
  }));
  const heldBy = new Map<string, AuthorisationDoc[]>();
  for (const authorisation of authorisations) heldBy.set(authorisation.holder, [...(heldBy.get(authorisation.holder) ?? []), authorisation]);
  const operators: OperatorDoc[] = data.operators.map((operator) => ({
    _id: operator.eori,
    name: operator.name,
    country: operator.country,
    address: operator.address,
    aeoTags: aeoTagsOf(heldBy.get(operator.eori) ?? []),
  }));

  // Each list compared with what is stored, one $in find per list.
  return {
    operators: await upsertByKey(models.operators, operators),
    authorisations: await upsertByKey(models.authorisations, authorisations),
  };
}
