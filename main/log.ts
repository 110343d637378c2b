/**
 * Main-process log: one JSON line per event on stderr (a scheduled task's log file captures it).
 * Never log passwords, session tokens or unmasked identifiers.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (level === 'debug' && !process.env.CRM_DEBUG) return;
  if (process.env.CRM_LOG === 'silent' && level !== 'error') return;
  const line = JSON.stringify({ at: new Date().toISOString(), level, msg, ...fields });
  process.stderr.write(`${line}\n`);
}

export const log = {
  debug: (msg: string, f?: Record<string, unknown>) => write('debug', msg, f),
  info: (msg: string, f?: Record<string, unknown>) => write('info', msg, f),
  warn: (msg: string, f?: Record<string, unknown>) => write('warn', msg, f),
  error: (msg: string, f?: Record<string, unknown>) => write('error', msg, f),
};
