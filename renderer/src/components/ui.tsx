/** Shared UI primitives: loading / error / empty states, the modal dialog, the pager, the language switch. */
import { useCallback, useEffect, useId, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Locale } from '../../../shared/api';
import type { ApiError } from '../api/client';
import { count, pageRange } from '../format';
import { currentLanguage, isLocale } from '../i18n';
import { errorMessage, type Translate } from '../i18n/messages';

/** `(error) => friendly text` in the current language. */
export function useErrorText(): (error: ApiError) => string {
  const { t } = useTranslation();
  return useCallback(
    (error: ApiError) => {
      const tr: Translate = (key, options) => t(key, options ?? {});
      return errorMessage(tr, error.code, error.details);
    },
    [t],
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <p className="status status-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </p>
  );
}

export function ErrorNotice({
  error,
  testId,
  onRetry,
}: {
  error: ApiError | undefined;
  testId?: string;
  onRetry?: () => void;
}) {
  const { t } = useTranslation();
  const text = useErrorText();
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert" data-testid={testId} data-code={error.code}>
      <span>{text(error)}</span>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/** A polite confirmation line after an action ("User disabled"). */
export function SuccessNotice({ text }: { text: string | null }) {
  return (
    <p className="notice notice-ok" role="status" aria-live="polite" hidden={!text}>
      {text}
    </p>
  );
}

export function Empty({ text }: { text: string }) {
  return <p className="status status-empty">{text}</p>;
}

/**
 * A modal on the native <dialog>: the browser traps focus, Esc closes it, and focus returns to
 * where it was when it closes.
 */
export function Modal({
  open,
  title,
  onClose,
  children,
  testId,
  wide = false,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      d.showModal();
      return () => {
        if (d.open) d.close();
        previous?.focus();
      };
    }
    return undefined;
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={wide ? 'modal modal-wide' : 'modal'}
      aria-labelledby={titleId}
      data-testid={testId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <header className="modal-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="btn-icon" onClick={onClose} aria-label={t('common.close')}>
              ×
            </button>
          </header>
          <div className="modal-body">{children}</div>
        </>
      )}
    </dialog>
  );
}

/** Prev / Next with "rows a–b of n". */
export function Pager({
  offset,
  limit,
  rows,
  total,
  onOffset,
  busy = false,
}: {
  offset: number;
  limit: number;
  rows: number;
  total: number;
  onOffset: (offset: number) => void;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const r = pageRange(offset, rows, total);
  return (
    <nav className="pager" aria-label={t('pager.label')}>
      <span className="pager-range" aria-live="polite" data-testid="pager-range">
        {t('pager.range', { from: count(r.from, lng), to: count(r.to, lng), total: count(r.total, lng) })}
      </span>
      <button
        type="button"
        className="btn"
        data-testid="pager-prev"
        disabled={busy || offset <= 0}
        onClick={() => onOffset(Math.max(0, offset - limit))}
      >
        {t('pager.prev')}
      </button>
      <button
        type="button"
        className="btn"
        data-testid="pager-next"
        disabled={busy || offset + limit >= total}
        onClick={() => onOffset(offset + limit)}
      >
        {t('pager.next')}
      </button>
    </nav>
  );
}

/** The other language, and its name written in that language (中文 / English). */
const OTHER: Record<Locale, { lng: Locale; name: string }> = {
  'zh-CN': { lng: 'en', name: 'English' },
  en: { lng: 'zh-CN', name: '中文' },
};

/**
 * One click switches between 中文 and English. The button names the language it switches to,
 * in that language, so a user who cannot read the current one still finds it.
 */
export function LanguageSwitch({ onChange, onDark = false }: { onChange: (lng: Locale) => void; onDark?: boolean }) {
  const { t, i18n } = useTranslation();
  const current = isLocale(i18n.language) ? i18n.language : currentLanguage();
  const other = OTHER[current];
  return (
    <button
      type="button"
      className={onDark ? 'btn btn-ghost lang-switch' : 'btn lang-switch'}
      data-testid="lang-switch"
      data-lang={current}
      aria-label={`${t('language.label')}: ${other.name}`}
      title={t('language.label')}
      onClick={() => onChange(other.lng)}
    >
      <span aria-hidden="true" className="lang-icon">
        文A
      </span>
      <span lang={other.lng}>{other.name}</span>
    </button>
  );
}
