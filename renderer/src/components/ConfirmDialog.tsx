/**
 * A question before an act that cannot be taken back (恢复模板, deleting an import profile), in the
 * app's modal and language instead of the browser's confirm box (whose buttons and title follow the
 * browser's locale and which blocks the whole window). The safe choice has the focus.
 */
import { useTranslation } from 'react-i18next';
import { Modal } from './ui';

export function ConfirmDialog({
  open,
  title,
  text,
  confirmLabel,
  danger = false,
  onConfirm,
  onCancel,
  testId,
}: {
  open: boolean;
  title: string;
  text: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <Modal open={open} title={title} onClose={onCancel} testId={testId}>
      <p>{text}</p>
      <div className="form-actions">
        {/* biome-ignore lint/a11y/noAutofocus: the safe answer has the focus, so Enter does not destroy anything */}
        <button type="button" className="btn" autoFocus onClick={onCancel} data-testid={testId && `${testId}-cancel`}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className={danger ? 'btn btn-danger' : 'btn btn-primary'}
          onClick={onConfirm}
          data-testid={testId && `${testId}-ok`}
        >
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
