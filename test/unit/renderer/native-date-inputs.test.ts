import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * zh-CN on any PC: the browser's date and time inputs show the browser's locale (mm/dd/yyyy and an
 * English calendar on an English Windows), so the renderer uses the app's DateField everywhere.
 */
const ROOT = path.resolve(__dirname, '../../../renderer/src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('no browser date inputs', () => {
  it('no screen uses <input type="date|month|week|time|datetime-local">', () => {
    const found = sources(ROOT).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, i }))
        .filter(({ line }) => /type=["'{`]+(date|month|week|time|datetime-local)["'`}]/.test(line))
        .filter(({ line }) => !line.trim().startsWith('*'))
        .map(({ i }) => `${path.relative(ROOT, file)}:${i + 1}`),
    );
    expect(found).toEqual([]);
  });
});
