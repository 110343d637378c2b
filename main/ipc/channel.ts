/**
 * The one IPC channel between the preload and the main process. Kept in its own file with no imports so
 * the sandboxed preload bundle can include it without pulling in anything else.
 */
export const CRM_CALL_CHANNEL = 'crm:call';
