import { useTranslation } from 'react-i18next';
import type { RiskSignalView } from '../../../../shared/api/analytics';
import { signalChips } from './risk-text';

/** A watch-list row's signals as small chips (risk-text.ts signalChips says which). */
export function SignalChips({ signals }: { signals: readonly RiskSignalView[] }) {
  const { t } = useTranslation();
  const { names, more } = signalChips(t, signals);
  return (
    <span className="risk-signals">
      {names.map((n) => (
        <span key={n} className="risk-signal">
          {n}
        </span>
      ))}
      {more && (
        <span className="risk-signal risk-signal-more" title={more.title}>
          {more.text}
        </span>
      )}
    </span>
  );
}
