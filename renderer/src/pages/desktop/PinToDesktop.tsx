import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { toApiError, type ApiError } from '../../api/client';
import { useErrorText } from '../../components/ui';
import { pinToDesktop } from './pin';

/** 添加到桌面 on the customer list's list and saved-query views. */
export function PinToDesktop({ what }: { what: { kind: 'list' | 'query'; id: number } }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [state, setState] = useState<'idle' | 'busy' | 'done'>('idle');
  const [error, setError] = useState<ApiError | undefined>();
  // Another list or query shown: the previous pin's outcome no longer applies.
  // biome-ignore lint/correctness/useExhaustiveDependencies: what.kind and what.id are the triggers
  useEffect(() => {
    setState('idle');
    setError(undefined);
  }, [what.kind, what.id]);
  return (
    <>
      <button
        type="button"
        className="btn"
        data-testid="grid-pin"
        disabled={state === 'busy'}
        onClick={() => {
          setState('busy');
          setError(undefined);
          pinToDesktop(what).then(
            () => setState('done'),
            (e: unknown) => {
              setError(toApiError(e));
              setState('idle');
            },
          );
        }}
      >
        {t('desktop.pin.button')}
      </button>
      <span role="status" aria-live="polite" className="muted small" data-testid="grid-pin-status">
        {state === 'done' ? t('desktop.pin.done') : error ? errorText(error) : ''}
      </span>
    </>
  );
}
