import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';

// Runs after `npm run build` (test:e2e builds first), so the bundle must exist: a missing file fails here.
const ROOT = path.resolve(__dirname, '..', '..');

test('the built preload requires nothing but electron, so it loads in the sandbox', () => {
  const bundle = readFileSync(path.join(ROOT, 'out/preload/index.js'), 'utf8');
  const requires = [...bundle.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  expect(new Set(requires)).toEqual(new Set(['electron']));
  expect(bundle.length).toBeLessThan(8_000);
});
