/**
 * Runs the `crm` command line in this process (main/cli/index.ts runCli), capturing what it writes to
 * stdout and stderr, with its exit code.
 */
import { vi } from 'vitest';
import { runCli } from '../../main/cli/index';

export async function crm(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await runCli(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** A command's stderr apart: what it logged (main/log.ts, a JSON line each) and the lines for people. */
export function splitStderr(err: string): { log: Record<string, unknown>[]; text: string[] } {
  const lines = err.split('\n').filter(Boolean);
  return {
    log: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    text: lines.filter((l) => !l.startsWith('{')),
  };
}
