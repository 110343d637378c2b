// The reporting code's name for the month arithmetic in shared/dates.ts (one implementation).
export { addMonths as shiftMonth } from '../../shared/dates';
