// Demo risk information shared through CRMS: three RIFs between Member States and one crisis
// alert, with their follow-up. The risk subgraph applies it on its first start
// (subgraphs/risk/setup-on-first-start.ts), so the generator lives beside it; here for the demo's index.
export { applyRiskInformationDemo, generateRiskInformationDemo, type DemoStep } from '../subgraphs/risk/risk-information-demo';
