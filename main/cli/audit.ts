import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import {
  type ChainBreak,
  type ChainHead,
  type ChainReport,
  checkAnchor,
  hasChain,
  lastLocalAnchor,
  verifyChain,
} from '../../db/audit-chain';
import { currentVersion } from '../../db/migrate';
import { syncJoined } from '../../db/sync/schema';
import strings from '../../shared/i18n/domains/audit-chain.json';
import { explainStoreError } from '../app/startup-error';
import { log } from '../log';
import { defaultDbPath } from '../paths';
import { openExistingStore } from '../store-key';
import { fetchAnchorState } from '../sync/audit-anchor';
import { CliHelp, CliUsageError, type OptionSpecs, type OptionValues, parseCliOptions } from './args';
import { langArg, parseLang, say } from './i18n';

/**
 * `crm audit verify [--db PATH] [--json] [--offline] [--anchor-from COPY] [--lang zh-CN|en]`: walks the
 * audit log's hash chain (db/audit-chain.ts), names the first broken entry, and compares the chain with its
 * latest anchor: the one the branch hub keeps when the PC is joined (the workstation user cannot rewrite
 * it), else this PC's own copy; and with --anchor-from, the head of an earlier copy of the store (a backup
 * kept out of this PC's user's reach: the standalone PC's anchor). Read-only. Exit 0 when intact, 2 when tampered with, 3 when the store has no chain yet, 64 on
 * usage errors. `crm check` runs the same verification after the page check.
 *
 * Messages come from shared/i18n/domains/audit-chain.json (registered in shared/i18n/resources.ts) in both languages: each line in zh-CN then en, or
 * only one of them with --lang.
 */
export type Lang = 'zh-CN' | 'en';
const LANGS: Lang[] = ['zh-CN', 'en'];
const TREES: Record<Lang, unknown> = strings;

type Vars = Record<string, string | number>;

export function message(lang: Lang, key: string, vars: Vars = {}): string {
  let v: unknown = TREES[lang];
  for (const part of `auditChain.${key}`.split('.')) v = v && typeof v === 'object' ? (v as Vars)[part] : undefined;
  if (typeof v !== 'string') throw new Error(`missing message auditChain.${key} (${lang})`);
  return v.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** One finding as a message key and its values; rendered in each language when printed. */
interface Line {
  key: string;
  vars?: Vars;
  /** Values that are themselves messages (a problem's description, an anchor's source). */
  nested?: Record<string, { key: string; vars?: Vars }>;
}

export interface AnchorFinding {
  source: 'hub' | 'local' | null;
  anchor: ChainHead | null;
  ok: boolean;
  problem: 'tail_removed' | 'rewritten' | 'refused' | null;
  refused: number;
  /** Why the hub could not be asked (then the local copy was used). */
  hubError: string | null;
}

/** A copy of the store (a backup kept where this PC's user cannot write) used as an anchor: --anchor-from. */
export interface CopyFinding {
  file: string;
  /** The copy's own chain head (null: the copy has no chain). */
  anchor: ChainHead | null;
  ok: boolean;
  problem: 'tail_removed' | 'rewritten' | 'copy_broken' | null;
}

export interface AuditVerification {
  ok: boolean;
  /** null: the store predates the chain (migration 0024). */
  chain: ChainReport | null;
  storeVersion: number;
  joined: boolean;
  anchor: AnchorFinding;
  copy: CopyFinding | null;
  lines: Line[];
}

function breakLine(key: 'broken' | 'more', b: ChainBreak, breaks: number): Line {
  const problem =
    b.problem === 'missing_before' && b.after == null
      ? { key: 'problem.missing_before_start' }
      : { key: `problem.${b.problem}`, vars: { after: b.after ?? '' } };
  const gone = b.at === null || b.action === null;
  return {
    key: gone ? `${key}_gone` : key,
    vars: { id: b.id, at: b.at ?? '', action: b.action ?? '', breaks },
    nested: { problem },
  };
}

/**
 * The whole verification on an open store. `hub`: ask the branch hub for the latest anchor when the store
 * is joined (false: only this PC's copy, e.g. --offline).
 */
export async function verifyAudit(
  db: Database,
  opts: { hub: boolean; anchorFrom?: string },
): Promise<AuditVerification> {
  const storeVersion = currentVersion(db);
  const joined = syncJoined(db);
  const anchor: AnchorFinding = { source: null, anchor: null, ok: true, problem: null, refused: 0, hubError: null };
  if (!hasChain(db)) {
    return {
      ok: false,
      chain: null,
      storeVersion,
      joined,
      anchor,
      copy: null,
      lines: [{ key: 'notChained', vars: { version: storeVersion } }],
    };
  }
  const chain = verifyChain(db);
  const lines: Line[] = [];
  if (chain.ok) {
    lines.push(
      chain.head.seq === 0
        ? { key: 'empty' }
        : { key: 'intact', vars: { entries: chain.entries, seq: chain.head.seq, hash: chain.head.hash } },
    );
  } else {
    lines.push(breakLine('broken', chain.problems[0]!, chain.breaks));
    for (const b of chain.problems.slice(1)) lines.push(breakLine('more', b, chain.breaks));
  }

  let hubAnchor: (ChainHead & { receivedAt: string }) | null | undefined;
  let earlier: ChainHead[] = [];
  if (joined && opts.hub) {
    try {
      const state = await fetchAnchorState(db, { all: true });
      hubAnchor = state.latest;
      anchor.refused = state.refused;
      earlier = state.anchors ?? [];
    } catch (err) {
      anchor.hubError = (err as Error).message;
      lines.push({ key: 'anchor.unreachable', vars: { reason: anchor.hubError } });
    }
  } else if (!joined) {
    lines.push({ key: 'anchor.standalone' });
  }
  const local = lastLocalAnchor(db);
  if (hubAnchor !== undefined) {
    anchor.source = 'hub';
    anchor.anchor = hubAnchor && { seq: hubAnchor.seq, hash: hubAnchor.hash };
    if (!hubAnchor) lines.push({ key: 'anchor.none_hub' });
  } else if (local) {
    anchor.source = 'local';
    anchor.anchor = { seq: local.seq, hash: local.hash };
  }
  if (anchor.anchor) {
    const c = checkAnchor(db, anchor.anchor);
    anchor.ok = c.ok;
    anchor.problem = c.problem;
    const source = { key: anchor.source === 'hub' ? 'anchor.source_hub' : 'anchor.source_local' };
    // Every head the hub ever accepted must still be in the chain: one accepted on a false witness (sent
    // by hand with this PC's token) cannot make the chain hold the anchors before it.
    const broken = c.ok && anchor.source === 'hub' ? earlier.find((a) => !checkAnchor(db, a).ok) : undefined;
    if (broken) {
      anchor.ok = false;
      anchor.problem = checkAnchor(db, broken).problem;
      anchor.anchor = broken;
      lines.push({ key: 'anchor.earlier', vars: { seq: broken.seq, count: earlier.length } });
    } else if (c.ok)
      lines.push(
        anchor.source === 'hub'
          ? {
              key: 'anchor.ok_hub',
              vars: { seq: c.anchor.seq, receivedAt: hubAnchor!.receivedAt, count: Math.max(earlier.length, 1) },
            }
          : { key: 'anchor.ok_local', vars: { seq: c.anchor.seq } },
      );
    else
      lines.push({
        key: `anchor.${c.problem}`,
        vars: { seq: c.anchor.seq, head: c.head.seq },
        nested: { source },
      });
  }
  if (anchor.refused > 0) {
    anchor.ok = false;
    anchor.problem ??= 'refused';
    lines.push({ key: 'anchor.refused', vars: { count: anchor.refused } });
  }
  const copy = opts.anchorFrom ? compareWithCopy(db, opts.anchorFrom, lines) : null;
  return { ok: chain.ok && anchor.ok && (copy?.ok ?? true), chain, storeVersion, joined, anchor, copy, lines };
}

/**
 * A standalone PC's anchor: the chain head of an earlier copy of the store (a backup the bank keeps on a
 * share this PC's user cannot write). The copy's own chain must verify, and the live chain must still hold
 * the copy's head: entries removed or rewritten since the copy was taken show.
 */
function compareWithCopy(db: Database, file: string, lines: Line[]): CopyFinding {
  // A copy of an encrypted store opens with its own key file beside it (<copy>.key), as any store does.
  const conn = openExistingStore(path.resolve(file), { readonly: true, fileMustExist: true });
  const source = { key: 'anchor.source_copy', vars: { file } };
  try {
    if (!hasChain(conn)) {
      lines.push({ key: 'anchor.copy_unchained', vars: { file } });
      return { file, anchor: null, ok: false, problem: 'copy_broken' };
    }
    const own = verifyChain(conn);
    if (!own.ok) {
      lines.push({ key: 'anchor.copy_broken', vars: { file } });
      return { file, anchor: own.head, ok: false, problem: 'copy_broken' };
    }
    const c = checkAnchor(db, own.head);
    if (c.ok) lines.push({ key: 'anchor.ok_copy', vars: { file, seq: own.head.seq } });
    else lines.push({ key: `anchor.${c.problem}`, vars: { seq: c.anchor.seq, head: c.head.seq }, nested: { source } });
    return { file, anchor: own.head, ok: c.ok, problem: c.problem };
  } finally {
    conn.close();
  }
}

export function renderLines(lines: Line[], lang: Lang | null): string {
  const out: string[] = [];
  for (const line of lines) {
    for (const l of lang ? [lang] : LANGS) {
      const vars: Vars = { ...line.vars };
      for (const [k, n] of Object.entries(line.nested ?? {})) vars[k] = message(l, n.key, n.vars);
      out.push(message(l, line.key, vars));
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** The store, read once: a file that is not a store (or not under this key) shows here, not halfway through. */
function openReadable(file: string): Database {
  const conn = openExistingStore(file, { readonly: true, fileMustExist: true });
  try {
    conn.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    return conn;
  } catch (e) {
    conn.close();
    throw e;
  }
}

/**
 * Why the store cannot be verified, naming the file, in the language asked for or else in both (as the
 * findings): no such file; not a store or damaged; else the start-up dialog's words for it (its key
 * missing or wrong, no access). The error itself goes to the log only (main/log.ts), never to the answer.
 */
function unopenable(e: unknown, file: string, lang: Lang | null, option: '--db' | '--anchor-from'): string {
  const err = e as { code?: unknown; message?: unknown } | null;
  log.error('audit verify: the store cannot be opened', {
    file,
    code: typeof err?.code === 'string' ? err.code : undefined,
    error: typeof err?.message === 'string' ? err.message : String(e),
  });
  const found = existsSync(file);
  const damaged = err?.code === 'SQLITE_NOTADB' || err?.code === 'SQLITE_CORRUPT';
  const why = explainStoreError(e, file);
  // the dialog's last resort ("the program could not start") is not what happened here: say where the details are
  const known = why.en !== explainStoreError(null, file).en;
  const line = (l: Lang) =>
    !found
      ? say(l, 'cli.audit.notFound', { file, option })
      : damaged
        ? say(l, 'cli.audit.damaged', { file })
        : known
          ? say(l, 'cli.audit.unreadable', { file, reason: l === 'en' ? why.en : why.zh })
          : say(l, 'cli.audit.openFailed', { file });
  return `${(lang ? [lang] : LANGS).map(line).join('\n')}\n`;
}

const AUDIT_OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean' },
  offline: { type: 'boolean' },
  'anchor-from': { type: 'string' },
  lang: { type: 'string' },
} as const satisfies OptionSpecs;

/** The --lang of arguments that did not parse (for the usage text's language), if it is one of ours. */
const langOf = (args: readonly string[]): Lang | null => parseLang(langArg(args));

export async function runAuditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  let v: OptionValues<typeof AUDIT_OPTIONS> | null = null;
  try {
    v = parseCliOptions(rest, AUDIT_OPTIONS);
  } catch (e) {
    if (e instanceof CliHelp) {
      process.stdout.write(renderLines([{ key: 'usage' }], langOf(rest)));
      return 0;
    }
    if (!(e instanceof CliUsageError)) throw e;
  }
  const lang = parseLang(v?.lang) ?? langOf(rest);
  if (sub === '--help' || sub === 'help') {
    process.stdout.write(renderLines([{ key: 'usage' }], lang));
    return 0;
  }
  if (sub !== 'verify' || !v || (v.lang !== undefined && !parseLang(v.lang))) {
    process.stderr.write(renderLines([{ key: 'usage' }], lang));
    return 64;
  }
  const json = v.json === true;
  const anchorFrom = v['anchor-from'];
  const hub = !v.offline;
  const file = path.resolve(v.db ?? defaultDbPath());
  let conn: Database;
  try {
    conn = openReadable(file);
  } catch (e) {
    process.stdout.write(unopenable(e, file, lang, '--db'));
    return 2;
  }
  // the copy given as anchor: one that cannot be opened is said the same way, before any finding
  if (anchorFrom) {
    const copy = path.resolve(anchorFrom);
    try {
      openReadable(copy).close();
    } catch (e) {
      conn.close();
      process.stdout.write(unopenable(e, copy, lang, '--anchor-from'));
      return 2;
    }
  }
  try {
    const v = await verifyAudit(conn, { hub, anchorFrom });
    if (json) {
      const { lines, ...rest } = v;
      process.stdout.write(
        `${JSON.stringify({ file, ...rest, messages: { 'zh-CN': renderLines(lines, 'zh-CN').trimEnd().split('\n'), en: renderLines(lines, 'en').trimEnd().split('\n') } })}\n`,
      );
    } else process.stdout.write(renderLines(v.lines, lang));
    return v.chain === null ? 3 : v.ok ? 0 : 2;
  } finally {
    conn.close();
  }
}
