import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

export interface PickOption {
  value: string;
  label: string;
  /** Shown after the label, muted (an outlet, a product code); also searched. */
  hint?: string;
}

const SHOWN = 50;

/**
 * A searchable pick list (ARIA combobox): type part of a name, choose with the mouse or ↑ ↓ Enter.
 * One value, or several shown as removable chips. Values stay internal (ids, codes); the user only
 * ever sees and types names.
 */
export function SearchPick({
  options,
  selected,
  multi,
  onChange,
  placeholder,
  label,
  testId,
}: {
  options: readonly PickOption[];
  selected: readonly string[];
  multi: boolean;
  onChange: (values: string[]) => void;
  placeholder: string;
  label: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const byValue = useMemo(() => new Map(options.map((o) => [o.value, o])), [options]);
  const single = !multi ? byValue.get(selected[0] ?? '') : undefined;
  const matches = useMemo(() => {
    const q = text.trim().toLowerCase();
    const list = options.filter((o) => !(multi && selected.includes(o.value)));
    return q ? list.filter((o) => o.label.toLowerCase().includes(q) || (o.hint ?? '').toLowerCase().includes(q)) : list;
  }, [options, selected, multi, text]);
  const shown = matches.slice(0, SHOWN);

  const pick = (o: PickOption) => {
    onChange(multi ? [...selected, o.value] : [o.value]);
    setText('');
    setActive(0);
    if (!multi) setOpen(false);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      const n = shown.length;
      if (n) setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % n : (a - 1 + n) % n));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const o = shown[active];
      if (open && o) pick(o);
    } else if (e.key === 'Escape' && open) {
      // close the list, not the dialog around it
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    } else if (e.key === 'Backspace' && !text && multi && selected.length) {
      onChange(selected.slice(0, -1));
    }
  };

  return (
    <div className="search-pick" data-testid={testId}>
      {multi &&
        selected.map((v) => {
          const name = byValue.get(v)?.label ?? v;
          return (
            <span key={v} className="pick-chip" data-testid="pick-chip">
              {name}
              <button
                type="button"
                aria-label={t('qb.removePick', { name })}
                onClick={() => onChange(selected.filter((x) => x !== v))}
              >
                ×
              </button>
            </span>
          );
        })}
      <input
        role="combobox"
        aria-label={label}
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={open && shown[active] ? `${id}-o${active}` : undefined}
        data-testid="pick-input"
        value={open || !single ? text : single.label}
        placeholder={single ? single.label : placeholder}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onKeyDown={onKey}
      />
      {open && (
        <div className="pick-list" role="listbox" id={`${id}-list`} aria-label={label}>
          {shown.map((o, i) => (
            <div
              key={o.value}
              id={`${id}-o${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              data-testid="pick-option"
              // mousedown, not click: the input's blur would close the list before a click lands
              onMouseDown={(e) => {
                e.preventDefault();
                pick(o);
              }}
            >
              {o.label}
              {o.hint && <span className="muted"> {o.hint}</span>}
            </div>
          ))}
          {shown.length === 0 && <div className="muted">{t('qb.noMatch')}</div>}
        </div>
      )}
    </div>
  );
}
