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
