/**
 * The app's own validation messages (validation.ts shows them in place of the browser's bubble): which
 * message a field's validity state gets, in the app's language. Pure (no DOM): the translate function
 * and the facts are passed in, so the unit tests run on Node.
 */
/** The validity state a message is chosen from (a ValidityState, or a plain object in tests). */
export interface Validity {
  valueMissing: boolean;
  rangeUnderflow: boolean;
  rangeOverflow: boolean;
  stepMismatch: boolean;
  badInput: boolean;
  tooLong: boolean;
  tooShort: boolean;
  patternMismatch: boolean;
  typeMismatch: boolean;
  customError: boolean;
}

export interface FieldFacts {
  validity: Validity;
  /** 'select', 'checkbox', 'radio' or another input type. */
  kind: string;
  min?: string;
  max?: string;
  minLength?: number;
  maxLength?: number;
  /** A custom validity set by the app (already in the app's language: DateField). */
  custom?: string;
}

/** The message for one invalid field, in the app's language. Pure given t. */
export function validityMessage(t: (key: string, o?: Record<string, unknown>) => string, f: FieldFacts): string {
  const v = f.validity;
  if (v.customError && f.custom) return f.custom;
  if (v.valueMissing) {
    if (f.kind === 'select' || f.kind === 'radio') return t('validation.valueMissingSelect');
    if (f.kind === 'checkbox') return t('validation.valueMissingCheck');
    return t('validation.valueMissing');
  }
  if (v.badInput) return t('validation.badInput');
  if (v.rangeUnderflow) return t('validation.rangeUnderflow', { min: f.min ?? '' });
  if (v.rangeOverflow) return t('validation.rangeOverflow', { max: f.max ?? '' });
  if (v.stepMismatch) return t('validation.stepMismatch');
  if (v.tooLong) return t('validation.tooLong', { max: f.maxLength ?? '' });
  if (v.tooShort) return t('validation.tooShort', { min: f.minLength ?? '' });
  if (v.patternMismatch) return t('validation.patternMismatch');
  if (v.typeMismatch) return t('validation.typeMismatch');
  return t('validation.invalid');
}
