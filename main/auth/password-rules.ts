import { AppError } from '../../shared/errors';
import { PASSWORD_POLICY, passwordProblems } from '../../shared/password-policy';

/**
 * Refuses a new password that breaks the policy, naming every rule it breaks (the form lists them),
 * for a user's own change and an administrator's temporary password alike.
 */
export function assertPasswordPolicy(password: string, username: string | null): void {
  const rules = passwordProblems(password, username);
  if (rules.length > 0) {
    throw new AppError('PASSWORD_POLICY', {
      rules,
      minLength: PASSWORD_POLICY.minLength,
      minClasses: PASSWORD_POLICY.minClasses,
    });
  }
}
