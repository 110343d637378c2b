import { type InputHTMLAttributes, useLayoutEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoneyInput, groupWhileTyping, type MoneyUnit, parseMoneyInput } from '../../../shared/money-input';
import './money-input.css';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'> & {
  /** The text in the box, as typed (grouped). Read it with parseMoneyInput(value, unit). */
  value: string;
  onChange: (text: string) => void;
  /** The box's unit, written beside it: 元 or 万元. */
  unit?: MoneyUnit;
  testId?: string;
  /** Hide the unit beside the box (a placeholder or label already names it). */
  bare?: boolean;
  /** The form's message while the amount is not acceptable (checked by the form's reportValidity). */
  invalidMessage?: string | null;
};

/**
 * An amount box: digits grouped by thousands while typing (the caret stays after the digit typed)
 * and written in the box's canonical form when it is left (200000 → 200,000; 50万 in a 元 box →
 * 500,000), the unit beside it. Exact: the text is read to integer fen (shared/money-input.ts).
 * Text that is not an amount is left as typed, for the form's own check to name.
 */
export function MoneyInput({
  value,
  onChange,
  unit = 'yuan',
  testId,
  bare,
  invalidMessage,
  className,
  onBlur,
  ...rest
}: Props) {
  const { t } = useTranslation();
  const ref = useRef<HTMLInputElement>(null);
  const caret = useRef<number | null>(null);
  // the caret after the regrouped text is rendered (a grown group shifts it by a comma)
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after the value the caret belongs to
  useLayoutEffect(() => {
    if (caret.current !== null && ref.current && document.activeElement === ref.current) {
      ref.current.setSelectionRange(caret.current, caret.current);
    }
    caret.current = null;
  }, [value]);
  useLayoutEffect(() => {
    ref.current?.setCustomValidity(invalidMessage ?? '');
  }, [invalidMessage]);
  return (
    <span className={`money-input${className ? ` ${className}` : ''}`}>
      <input
        {...rest}
        ref={ref}
        data-testid={testId}
        inputMode="decimal"
        autoComplete="off"
        value={value}
        onChange={(e) => {
          const g = groupWhileTyping(e.target.value, e.target.selectionStart ?? e.target.value.length);
          caret.current = g.caret;
          onChange(g.text);
        }}
        onBlur={(e) => {
          const fen = parseMoneyInput(value, unit);
          if (fen !== null) {
            const shown = formatMoneyInput(fen, unit);
            if (shown !== value) onChange(shown);
          }
          onBlur?.(e);
        }}
      />
      {!bare && <span className="money-unit">{t(`money.unit.${unit}`)}</span>}
    </span>
  );
}
