import { useTranslation } from 'react-i18next';
import { PASSWORD_POLICY, type PasswordRule, passwordProblems } from '../../../shared/password-policy';

/** The rules shown on every form that sets a password, in the order a person checks them. */
const SHOWN: PasswordRule[] = ['min_length', 'char_classes', 'common', 'contains_username', 'repetitive'];

/**
 * The password policy stated on the form, each rule ticked as the candidate meets it: the same
 * function the main process enforces (shared/password-policy.ts), so the form never promises less.
 */
export function PasswordRules({ id, password, username }: { id: string; password: string; username: string | null }) {
  const { t } = useTranslation();
  const broken = new Set(password ? passwordProblems(password, username) : SHOWN);
  return (
    <div id={id} className="password-rules" data-testid="password-rules">
      <span className="muted">{t('passwordRules.title')}</span>
      <ul>
        {SHOWN.map((rule) => {
          const ok = password !== '' && !broken.has(rule);
          return (
            <li key={rule} data-rule={rule} data-met={ok} className={ok ? 'rule-met' : 'rule-unmet'}>
              <span aria-hidden="true">{ok ? '✓' : '·'}</span> {t(`passwordRules.${rule}`, PASSWORD_POLICY)}
              <span className="visually-hidden"> ({ok ? t('passwordRules.met') : t('passwordRules.unmet')})</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
