/**
 * The app's own date field, used instead of <input type="date">: the browser's date input shows its
 * locale's format (mm/dd/yyyy on an English Windows) and calendar, so a zh-CN screen was not zh-CN on
 * every PC. Here the field takes typed dates as branch staff write them (2026-12-06, 2026/12/6,
 * 20261206, 2026年12月6日) and shows them as YYYY-MM-DD; the calendar (Monday first, month titles and
 * weekdays from the app's strings) opens from the button or Alt+↓ and is worked with the keyboard:
 * arrows move a day or a week, PageUp/PageDown a month, Home/End the week's ends, Enter picks, Esc closes.
 * A value that is not a date, or is out of bounds, is refused with the app's message and marks the
 * field invalid for its form (setCustomValidity), so a form cannot be sent with it.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { addMonths, checkDate, isoDate, keyMove, monthGrid } from './date-input';
import './fields.css';

function todayIso(): string {
  const d = new Date();
  return isoDate(d.getFullYear(), d.getMonth() + 1, d.getDate());
}

export interface DateFieldProps {
  id?: string;
  /** 'YYYY-MM-DD' or '' (no date). */
  value: string;
  /** Called with a valid date, or '' when the field is empty or does not hold a valid date. */
  onChange: (value: string) => void;
  min?: string | undefined;
  max?: string | undefined;
  required?: boolean;
  disabled?: boolean;
  testId?: string;
  'aria-label'?: string;
}

export function DateField({
  id,
  value,
  onChange,
  min,
  max,
  required,
  disabled,
  testId,
  'aria-label': ariaLabel,
}: DateFieldProps) {
  const { t } = useTranslation();
  const ownId = useId();
  const inputId = id ?? ownId;
  const [text, setText] = useState(value);
  const [touched, setTouched] = useState(false);
  const [open, setOpen] = useState(false);
  const [focus, setFocus] = useState(value || todayIso());
  const wrap = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const grid = useRef<HTMLTableElement>(null);

  // a value set from outside (a reset, a link) replaces what is shown; the value this field last
  // reported (a date, or '' for a text that is not one yet) leaves the typed text alone
  const reported = useRef(value);
  useEffect(() => {
    if (value !== reported.current) {
      reported.current = value;
      setText(value);
    }
  }, [value]);

  const check = checkDate(text, min, max);
  const problem = check.ok
    ? null
    : t(`dateField.problem.${check.problem}`, { example: todayIso(), min: min ?? '', max: max ?? '' });

  // the form's own validity follows the app's check (the global handler shows it in the app's words)
  useEffect(() => {
    input.current?.setCustomValidity(problem ?? '');
  }, [problem]);

  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (wrap.current && !wrap.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  // The calendar is placed in the window (position: fixed), so a dialog's or a panel's scrolling box
  // does not cut it off: under the field, or above it near the bottom, leftwards near the right edge.
  // Scrolling the page away from the field closes it; a resized window places it again.
  const popover = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<{ top: number; left: number } | null>(null);
  // a resized window places it again
  const [resized, setResized] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `resized` is the trigger to measure again
  useLayoutEffect(() => {
    if (!open) return setPlace(null);
    const field = wrap.current?.getBoundingClientRect();
    const pop = popover.current;
    if (!field || !pop) return;
    const w = pop.offsetWidth;
    const h = pop.offsetHeight;
    const vw = document.documentElement.clientWidth;
    const vh = window.innerHeight;
    const below = field.bottom + 4;
    setPlace({
      top: below + h > vh - 4 && field.top - h - 4 >= 4 ? field.top - h - 4 : below,
      left: Math.max(4, Math.min(field.left, vw - w - 4)),
    });
  }, [open, resized]);
  useEffect(() => {
    if (!open) return;
    const away = (e: Event) => {
      if (!(e.target instanceof Node && popover.current?.contains(e.target))) setOpen(false);
    };
    const resize = () => setResized((n) => n + 1);
    window.addEventListener('scroll', away, true);
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('scroll', away, true);
      window.removeEventListener('resize', resize);
    };
  }, [open]);

  // the focused day once the calendar is placed (a hidden element cannot take the focus)
  useEffect(() => {
    if (open && place) grid.current?.querySelector<HTMLButtonElement>(`[data-date="${focus}"]`)?.focus();
  }, [open, focus, place]);

  const type = (s: string) => {
    setText(s);
    const c = checkDate(s, min, max);
    reported.current = c.ok ? c.date : '';
    onChange(reported.current);
  };
  const pick = (date: string) => {
    setText(date);
    setTouched(true);
    reported.current = date;
    onChange(date);
    setOpen(false);
    input.current?.focus();
  };
  const show = () => {
    const c = checkDate(text);
    setFocus(c.ok && c.date ? c.date : value || (max && todayIso() > max ? max : todayIso()));
    setOpen(true);
  };

  const onGridKey = (e: KeyboardEvent) => {
    const next = keyMove(e.key, e.shiftKey, focus);
    if (next) {
      e.preventDefault();
      setFocus(next);
    } else if (e.key === 'Escape') {
      // close the calendar only, not a dialog the field sits in
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      input.current?.focus();
    }
  };

  const [y, m] = focus.split('-').map(Number) as [number, number];
  const weeks = monthGrid(y, m);
  const today = todayIso();
  const out = (d: string) => (min !== undefined && d < min) || (max !== undefined && d > max);
  const errorId = `${inputId}-problem`;
  const showProblem = touched && problem;

  return (
    <div className="date-field" ref={wrap}>
      <div className="date-field-row">
        <input
          ref={input}
          id={inputId}
          className="date-field-input"
          data-testid={testId}
          value={text}
          placeholder={t('dateField.placeholder')}
          inputMode="numeric"
          autoComplete="off"
          required={required}
          disabled={disabled}
          aria-label={ariaLabel}
          aria-invalid={showProblem ? true : undefined}
          aria-describedby={showProblem ? errorId : undefined}
          data-own-message="true"
          onInvalid={() => setTouched(true)}
          onChange={(e) => type(e.target.value)}
          onBlur={() => {
            setTouched(true);
            // show what was understood: 2026/1/5 becomes 2026-01-05
            if (check.ok && check.date && check.date !== text) setText(check.date);
          }}
          onKeyDown={(e) => {
            if (e.altKey && e.key === 'ArrowDown') {
              e.preventDefault();
              show();
            }
          }}
        />
        <button
          type="button"
          className="date-field-button"
          aria-label={t('dateField.open')}
          title={t('dateField.open')}
          aria-expanded={open}
          aria-haspopup="dialog"
          disabled={disabled}
          data-testid={testId ? `${testId}-open` : undefined}
          onClick={() => (open ? setOpen(false) : show())}
        >
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <rect x="1.5" y="3" width="13" height="11.5" rx="1.5" fill="none" stroke="currentColor" />
            <path d="M1.5 6.5h13M5 1.5v3M11 1.5v3" stroke="currentColor" />
          </svg>
        </button>
      </div>
      {showProblem && (
        <p id={errorId} className="field-error" role="alert" data-testid={testId ? `${testId}-problem` : undefined}>
          {problem}
        </p>
      )}
      {open && (
        <div
          ref={popover}
          className="date-popover"
          style={place ? { top: place.top, left: place.left } : { visibility: 'hidden' }}
          role="dialog"
          onKeyDown={onGridKey}
          aria-label={t('dateField.month', { year: y, month: m, monthName: t(`dateField.monthName.${m}`) })}
          data-testid={testId ? `${testId}-calendar` : undefined}
        >
          <div className="date-popover-head">
            <button
              type="button"
              className="btn-icon"
              aria-label={t('dateField.prevMonth')}
              title={t('dateField.prevMonth')}
              onClick={() => setFocus(addMonths(focus, -1))}
            >
              ‹
            </button>
            <span className="date-popover-title" aria-live="polite">
              {t('dateField.month', { year: y, month: m, monthName: t(`dateField.monthName.${m}`) })}
            </span>
            <button
              type="button"
              className="btn-icon"
              aria-label={t('dateField.nextMonth')}
              title={t('dateField.nextMonth')}
              onClick={() => setFocus(addMonths(focus, 1))}
            >
              ›
            </button>
          </div>
          <table ref={grid} className="date-grid">
            <thead>
              <tr>
                {[0, 1, 2, 3, 4, 5, 6].map((i) => (
                  <th key={i} scope="col" className="date-weekday">
                    {t(`dateField.weekday.${i}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {weeks.map((w) => (
                <tr key={w[0]}>
                  {w.map((d) => {
                    const inMonth = Number(d.slice(5, 7)) === m;
                    return (
                      <td key={d}>
                        <button
                          type="button"
                          tabIndex={d === focus ? 0 : -1}
                          data-date={d}
                          disabled={out(d)}
                          className={[
                            'date-day',
                            inMonth ? '' : 'date-day-other',
                            d === today ? 'date-day-today' : '',
                            d === value ? 'date-day-selected' : '',
                          ]
                            .filter(Boolean)
                            .join(' ')}
                          aria-label={d}
                          aria-pressed={d === value}
                          aria-current={d === today ? 'date' : undefined}
                          onClick={() => pick(d)}
                        >
                          {Number(d.slice(8))}
                        </button>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="date-popover-foot">
            <button type="button" className="link-button" disabled={out(today)} onClick={() => pick(today)}>
              {t('dateField.today')}
            </button>
            {!required && (
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  type('');
                  setOpen(false);
                  input.current?.focus();
                }}
              >
                {t('dateField.clear')}
              </button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
