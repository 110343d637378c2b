// The hooks moved to use-api.ts (kebab-case file names). This re-export stays only for ImportsPage.tsx,
// which another change owns while this one lands; delete it once that page imports './use-api'.
export * from './use-api';
