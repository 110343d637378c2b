/**
 * The layering rules of biome.json bite: probe files that break each layer (and files that respect
 * it) are linted with the project's own configuration in a scratch folder laid out like the repo,
 * so the test never touches the tree and fails if a rule is loosened or a glob stops matching.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const BIOME = path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'biome.cmd' : 'biome');

interface Diagnostic {
  category: string;
  location: { path: string };
}

/** file -> source; returns the lint categories reported per file. */
function lint(dir: string, files: Record<string, string>): Map<string, string[]> {
  for (const [file, src] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), src);
  }
  let out: string;
  try {
    out = execFileSync(BIOME, ['lint', '--vcs-enabled=false', '--reporter=json', '--max-diagnostics=none', '.'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (e) {
    // biome exits 1 when it reports errors; the report is still on stdout.
    out = (e as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as { diagnostics: Diagnostic[] };
  const byFile = new Map<string, string[]>();
  for (const d of report.diagnostics) {
    const f = d.location.path.replace(/\\/g, '/');
    byFile.set(f, [...(byFile.get(f) ?? []), d.category]);
  }
  return byFile;
}

let dir = '';
let found = new Map<string, string[]>();

const BAD: Record<string, string> = {
  'renderer/src/pages/ReachesMain.tsx': "import { x } from '../../../main/handlers/grid';\nexport const y = x;\n",
  'renderer/src/pages/ReachesDb.tsx': "import { x } from '../../../db/repos/customers';\nexport const y = x;\n",
  'renderer/src/pages/ReachesNode.tsx': "import fs from 'node:fs';\nexport const y = fs;\n",
  'renderer/src/pages/ReachesSql.tsx': "import Database from 'better-sqlite3';\nexport const y = Database;\n",
  'db/repos/reaches-main.ts': "import { x } from '../../main/clock';\nexport const y = x;\n",
  'db/reaches-renderer.ts': "import { x } from '../renderer/src/format';\nexport const y = x;\n",
  'db/repos/reaches-demo.ts': "import { x } from '../demo/names';\nexport const y = x;\n",
  'shared/api/reaches-db.ts': "import { x } from '../../db/scope';\nexport const y = x;\n",
  'shared/reaches-main.ts': "import { x } from '../main/clock';\nexport const y = x;\n",
  'shared/reaches-node.ts': "import fs from 'node:fs';\nexport const y = fs;\n",
  'main/jobs/engine/reaches-demo.ts': "import { x } from '../../../db/demo/names';\nexport const y = x;\n",
  'main/exports/reaches-renderer.ts': "import { x } from '../../renderer/src/i18n/resources';\nexport const y = x;\n",
};

const GOOD: Record<string, string> = {
  'renderer/src/pages/UsesShared.tsx': "import { x } from '../../../shared/api';\nexport const y = x;\n",
  'renderer/src/main.tsx': "import { x } from './pages/UsesShared';\nexport const y = x;\n",
  'db/repos/uses-shared.ts': "import { x } from '../../shared/money';\nexport const y = x;\n",
  'db/demo/uses-db.ts': "import { x } from '../repos/uses-shared';\nexport const y = x;\n",
  'main/handlers/uses-db.ts': "import { x } from '../../db/repos/uses-shared';\nexport const y = x;\n",
  'main/cli/demo.ts': "import { x } from '../../db/demo/uses-db';\nexport const y = x;\n",
  'shared/api/uses-zod.ts': "import { z } from 'zod';\nexport const y = z;\n",
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-layers-'));
  fs.copyFileSync(path.join(ROOT, 'biome.json'), path.join(dir, 'biome.json'));
  found = lint(dir, { ...BAD, ...GOOD });
}, 60_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('layering rules (biome.json)', () => {
  it.each(Object.keys(BAD))('refuses %s', (file) => {
    expect(found.get(file) ?? []).toContain('lint/style/noRestrictedImports');
  });

  it.each(Object.keys(GOOD))('allows %s', (file) => {
    expect(found.get(file) ?? []).not.toContain('lint/style/noRestrictedImports');
  });

  it('refuses an import cycle', () => {
    const cyc = lint(dir, {
      'renderer/src/components/CycleA.tsx': "import { b } from './CycleB';\nexport const a = () => b;\n",
      'renderer/src/components/CycleB.tsx': "import { a } from './CycleA';\nexport const b = () => a;\n",
    });
    expect(cyc.get('renderer/src/components/CycleA.tsx') ?? []).toContain('lint/suspicious/noImportCycles');
  });
});
