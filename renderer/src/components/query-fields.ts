import type { QueryField } from '../../../shared/api/grid';

/** Fields picked by name from a searchable list (the value is an id or a product code). */
export const PICKED: ReadonlySet<QueryField> = new Set(['managerId', 'branchId', 'holdsProduct']);

/** The field's name on screen (the pickers' fields are named for what is picked, not the id). */
export function fieldLabel(t: (key: string) => string, f: QueryField): string {
  return PICKED.has(f) ? t(`qb.fields.${f}`) : t(`query.fields.${f}`);
}
