/**
 * Deterministic demo-branch generator: a complete, plausible branch (organisation, users, products,
 * customers, holdings, loans and a year of transactions) from a seed, for demos, tests and benchmarks.
 */
export {
  DEFAULT_AS_OF,
  DEFAULT_SEED,
  DEFAULT_TXNS_PER_CUSTOMER,
  type DemoOptions,
  type DemoSummary,
  generateDemo,
} from './generate';
export { BRANCH_CODE, BRANCH_NAME, DEMO_PASSWORD, DEMO_USERS, type DemoRole, managerCount } from './org';
export { TIER_FEN } from './context';
