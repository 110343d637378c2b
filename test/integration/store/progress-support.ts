/**
 * What the upgrade and encryption progress tests share: a GET to the browser-mode host (the progress page,
 * /api/upgrade) as the browser sends it, and a copy of a prepared store in a folder of its own.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export function hostGet(
  port: number,
  p: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: p, headers: { Host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `from` copied to <dir>/<name>/crm.db, with the backups folder the app would use beside it. */
export function storeCopy(dir: string, name: string, from: string): { file: string; backups: string } {
  const at = path.join(dir, name);
  mkdirSync(at, { recursive: true });
  const file = path.join(at, 'crm.db');
  copyFileSync(from, file);
  return { file, backups: path.join(at, 'backups') };
}
