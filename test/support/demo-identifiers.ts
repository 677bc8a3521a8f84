// The demo data's showcase identifiers (README, "An example query"): each contract operation
// with the variables that give it real data after a first start.
export const CONTRACT_VARIABLES: Record<string, Record<string, unknown>> = {
  Trader360: { eori: 'NLQLRUBN9' },
  DeclarationCheck: { mrn: '20NL00000970618001' },
  ConsignmentScreen: { mrn: '25IT74UQ0YYM7RF2I6' },
  DeclarationRisk: { mrn: '20NL00000970618001' },
  ControlQueue: { first: 10, lane: 'RED' },
};
