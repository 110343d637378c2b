/**
 * The cost of encryption at rest (issue 19, items 5 and 7): the same generated store twice, one copy
 * plaintext and one converted to the encrypted format (the conversion timed too), both served by the
 * app side by side in this run, and the same calls made on each in turn:
 *   - grid: a page of 100 rows at a random depth under varied filters and sorts, and the exact count,
 *     on the SQL path (what answers before the in-memory columns exist) and once the columns are built;
 *   - quick search by customer number, surname and full name;
 *   - an import: the branch's customer file with every address changed (the worker writes every row).
 * Printed as p50/p95 per store and the ratio encrypted / plaintext.
 *
 *   npm run bench -- --only encryption --customers 100000
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { fixedClock } from '../../main/clock';
import { writeExtracts } from '../../main/jobs/profiles/extracts';
import { createRegistry } from '../../main/registry';
import { createServices, type Services } from '../../main/services';
import { openAppStore } from '../../main/store-key';
import { freshColumns } from '../../db/customer-columns';
import type { GridFilter, GridSort } from '../../shared/api';
import { benchGenerate } from './generate';
import { pct, signedIn } from './support';

interface Side {
  label: 'plaintext' | 'encrypted';
  services: Services;
  timed: Awaited<ReturnType<typeof signedIn>>['timed'];
}

const CLOCK = () => fixedClock(new Date('2026-10-31T02:00:00Z'));

async function open(file: string, encrypt: boolean, columns: boolean): Promise<Side> {
  const services = await createServices({
    dbPath: file,
    mode: 'browser',
    encrypt,
    clock: CLOCK(),
    columnsMinCustomers: columns ? 1 : Number.MAX_SAFE_INTEGER,
    // Reminders and rules at start-up would compete with the timed calls: not what is measured here.
    followUpsWorkerFromCustomers: 1,
  });
  // Start-up's reminders and rules finish first: the timed calls should not share the CPU with them.
  await services.followUps.idle();
  const { timed } = await signedIn(createRegistry(services), ['president', 'admin']);
  return { label: encrypt ? 'encrypted' : 'plaintext', services, timed };
}

function line(name: string, plain: number[], enc: number[]): string {
  const p50 = (xs: number[]) => pct(xs, 50);
  const p95 = (xs: number[]) => pct(xs, 95);
  return (
    `  ${name.padEnd(34)} plaintext p50 ${p50(plain).toFixed(1)} / p95 ${p95(plain).toFixed(1)} ms | ` +
    `encrypted p50 ${p50(enc).toFixed(1)} / p95 ${p95(enc).toFixed(1)} ms | ` +
    `ratio p50 ${(p50(enc) / p50(plain)).toFixed(2)} x, p95 ${(p95(enc) / p95(plain)).toFixed(2)} x`
  );
}

const FILTERS: GridFilter[] = [
  {},
  { tiers: ['gold', 'quality'] },
  { aumMin: '100000' },
  { inactiveDays: 180 },
  { kinds: ['corporate'] },
];
const SORTS: GridSort[] = [
  [],
  [{ col: 'aum', dir: 'desc' }],
  [{ col: 'name', dir: 'asc' }],
  [{ col: 'openedOn', dir: 'desc' }],
];

/** Grid pages and counts, the two stores called in turn so both see the same machine load. */
async function gridRound(sides: [Side, Side], samples: number, print: (s: string) => void, label: string) {
  const page: [number[], number[]] = [[], []];
  const count: [number[], number[]] = [[], []];
  for (let i = 0; i < samples; i++) {
    const filter = FILTERS[i % FILTERS.length]!;
    const sort = SORTS[(i * 3) % SORTS.length]!;
    const offset = ((i * 7919) % 1000) * 50;
    for (const [k, s] of sides.entries()) {
      count[k]!.push(await s.timed('president', 'customers.gridCount', { filter }));
      page[k]!.push(await s.timed('president', 'customers.grid', { filter, sort, offset, limit: 100 }));
    }
  }
  print(line(`grid page of 100 (${label})`, page[0], page[1]));
  print(line(`grid exact count (${label})`, count[0], count[1]));
}

async function searchRound(sides: [Side, Side], samples: number, print: (s: string) => void) {
  const people = sides[0].services.db
    .prepare('SELECT customer_no, name FROM customers ORDER BY random() LIMIT ?')
    .all(samples) as { customer_no: string; name: string }[];
  const t: [number[], number[]] = [[], []];
  for (const p of people) {
    for (const q of [p.customer_no, p.name.slice(0, 1), p.name]) {
      for (const [k, s] of sides.entries()) {
        t[k]!.push(await s.timed('president', 'customers.grid', { filter: { q }, sort: [], offset: 0, limit: 20 }));
      }
    }
  }
  print(line('quick search (number, surname, name)', t[0], t[1]));
}

/** The customer file with every address changed, so the import writes every row. */
function changedCustomerFile(extracts: string, out: string, mark: string): number {
  const lines = iconv.decode(readFileSync(path.join(extracts, 'customers.csv')), 'gb18030').split('\r\n');
  const header = lines[0]!.split(',');
  const at = header.indexOf('地址');
  let changed = 0;
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',');
    if (cells.length !== header.length || at < 0) continue;
    cells[at] = `${cells[at]}${mark}`;
    lines[i] = cells.join(',');
    changed++;
  }
  writeFileSync(out, iconv.encode(lines.join('\r\n'), 'gb18030'));
  return changed;
}

async function importOnce(side: Side, file: string): Promise<number> {
  const { services } = side;
  mkdirSync(services.paths.inbox, { recursive: true });
  copyFileSync(file, path.join(services.paths.inbox, path.basename(file)));
  const registry = createRegistry(services);
  const { sessions } = await signedIn(registry, ['admin']);
  const call = async (method: string, input: unknown) => {
    const r = await registry.dispatch({ method, input, session: sessions.admin! } as never, { adapter: 'test' });
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.value as never;
  };
  const profiles = (await call('imports.profiles.list', {})) as { id: number; kind: string; builtin: boolean }[];
  const cif = profiles.find((p) => p.kind === 'customers' && p.builtin)!;
  const t0 = performance.now();
  const { ticket } = (await call('imports.start', { file: path.basename(file), source: { id: cif.id } })) as {
    ticket: number;
  };
  for (;;) {
    const active = (await call('imports.active', {})) as { ticket: number; state: string; status: string }[];
    const job = active.find((j) => j.ticket === ticket);
    if (job?.state === 'finished') {
      if (job.status !== 'committed') throw new Error(`import ${job.status}`);
      return performance.now() - t0;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function benchEncryption(opts: { customers: number; samples: number; print: (s: string) => void }) {
  const { print } = opts;
  const g = await benchGenerate({ customers: opts.customers, txnsPerCustomer: 20, keep: true });
  const dir = path.dirname(g.file);
  try {
    print(
      `  generated ${opts.customers.toLocaleString('en-US')} customers in ${g.seconds.toFixed(1)} s, ${(g.fileBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    const plainFile = path.join(dir, 'plain', 'crm.db');
    const encFile = path.join(dir, 'enc', 'crm.db');
    for (const f of [plainFile, encFile]) {
      mkdirSync(path.dirname(f), { recursive: true });
      copyFileSync(g.file, f);
    }
    rmSync(g.file, { force: true });

    // The migration itself: what an existing branch PC goes through once, at the first start.
    const t0 = performance.now();
    const converted = await openAppStore(encFile);
    converted.db.close();
    print(
      `  conversion of the plaintext store (check, backup, encrypt, verify, swap): ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    rmSync(path.join(path.dirname(encFile), 'backups'), { recursive: true, force: true });

    // SQL path first, both stores open side by side.
    let sides: [Side, Side] = [await open(plainFile, false, false), await open(encFile, true, false)];
    try {
      await gridRound(sides, 3, () => undefined, 'warm-up');
      await gridRound(sides, opts.samples, print, 'SQL path');
      await searchRound(sides, Math.ceil(opts.samples / 3), print);
    } finally {
      for (const s of sides) await s.services.close();
    }

    // The app as it runs on a big book: in-memory columns, built in a worker from the store at start-up
    // (each store started alone for this figure, start-up's reminders included).
    const built: number[] = [];
    const started: Side[] = [];
    try {
      for (const [file, encrypt] of [
        [plainFile, false],
        [encFile, true],
      ] as const) {
        const t = performance.now();
        const s = await open(file, encrypt, true);
        started.push(s);
        while (!freshColumns(s.services.db)) {
          if (performance.now() - t > 300_000) throw new Error('columns not built in 5 minutes');
          await new Promise((r) => setTimeout(r, 50));
        }
        built.push(performance.now() - t);
      }
    } catch (e) {
      for (const s of started) await s.services.close();
      throw e;
    }
    sides = [started[0]!, started[1]!];
    try {
      print(
        `  start-up until the in-memory columns are ready: plaintext ${(built[0]! / 1000).toFixed(1)} s, encrypted ${(built[1]! / 1000).toFixed(1)} s, ratio ${(built[1]! / built[0]!).toFixed(2)} x`,
      );
      await gridRound(sides, opts.samples, print, 'columns');

      const extracts = path.join(dir, 'extracts');
      await writeExtracts(sides[0].services.db, extracts, { kinds: ['customers'] });
      // Two rounds, in the order P E E P, so neither side alone pays the first worker's start.
      const files = ['甲', '乙'].map((mark, i) => {
        const f = path.join(dir, `cif-changed-${i + 1}.csv`);
        return { f, rows: changedCustomerFile(extracts, f, mark) };
      });
      const plainMs = [await importOnce(sides[0], files[0]!.f)];
      const encMs = [await importOnce(sides[1], files[0]!.f)];
      encMs.push(await importOnce(sides[1], files[1]!.f));
      plainMs.push(await importOnce(sides[0], files[1]!.f));
      const best = (xs: number[]) => Math.min(...xs);
      print(
        `  import of ${files[0]!.rows.toLocaleString('en-US')} customer rows, every row changed (best of 2): plaintext ${(best(plainMs) / 1000).toFixed(1)} s, ` +
          `encrypted ${(best(encMs) / 1000).toFixed(1)} s, ratio ${(best(encMs) / best(plainMs)).toFixed(2)} x`,
      );
    } finally {
      for (const s of sides) await s.services.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
