import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { branchAnchors } from '../../db/hub/anchors';
import { ensureBranch, issueEnrolCode, revokePc } from '../../db/hub/enrol';
import { compactChanges } from '../../db/hub/maintain';
import { ensureAppLogin, HubSchemaError, migrateHub } from '../../db/hub/migrate';
import { hubUsers } from '../../db/hub/users';
import { embeddedAppPassword, HUB_APP_USER, openEmbeddedPg } from './embedded';
import { startHub } from './service';

/**
 * `npm run hub -- [command] [options]`: the branch hub's entry. Without --pg everything runs on an
 * embedded PostgreSQL under .data/hub (migrated and given its application login on each start).
 */
const USAGE = `Usage: npm run hub -- [command] [options]
Commands:
  serve      [--pg URL] [--host 127.0.0.1] [--port 41880] [--data .data/hub]   start a hub (default command)
             [--tls-cert hub.pem --tls-key hub.key]                          serve HTTPS/WSS with the bank's certificate
  migrate    --pg OWNER_URL [--app-user crm_hub --app-password PW]           apply the hub schema (owner role)
  enrol-code --branch B01 [--name NAME] [--hours 24] [--pg URL]              create the branch if new, print a one-time code
  pcs        --branch B01 [--pg URL]                                          list the branch's enrolled PCs
  users      --branch B01 [--pg URL]                                          list the branch's accounts on the hub (no hashes)
  audit-anchors --branch B01 [--pg URL]                                     each PC's latest audit chain anchor, refused heads
  revoke     --branch B01 --pc PC_ID [--pg URL]                                 take a PC off the hub (its secret stops working)
  compact    [--branch B01] [--pg OWNER_URL]                                drop change-log rows a later change superseded
With --pg the hub connects as that (least-privilege) role; without it, an embedded PostgreSQL is used.
Without --tls-cert/--tls-key the hub speaks plain HTTP and should stay on loopback (the default host).
`;

function flags(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) out.set(a.slice(2), 'true');
    else {
      out.set(a.slice(2), next);
      i++;
    }
  }
  return out;
}

const log = (msg: string, extra?: Record<string, unknown>) =>
  process.stderr.write(`${new Date().toISOString()} ${msg}${extra ? ` ${JSON.stringify(extra)}` : ''}\n`);

/** A pool on --pg, or on the embedded server (started for the command's duration if no hub runs it). */
async function connect(f: Map<string, string>): Promise<{ pool: pg.Pool; done: () => Promise<void> }> {
  const given = f.get('pg');
  if (given) {
    const pool = new pg.Pool({ connectionString: given, max: 2 });
    return { pool, done: () => pool.end() };
  }
  const embedded = await openEmbeddedPg(path.resolve(f.get('data') ?? '.data/hub'));
  const pool = new pg.Pool({ connectionString: embedded.ownerUrl, max: 2 });
  await migrateHub(pool);
  return {
    pool,
    done: async () => {
      await pool.end();
      await embedded.stop();
    },
  };
}

async function serve(f: Map<string, string>): Promise<void> {
  const dir = path.resolve(f.get('data') ?? '.data/hub');
  let appUrl = f.get('pg');
  let stopPg = async () => {};
  if (!appUrl) {
    const embedded = await openEmbeddedPg(dir);
    stopPg = embedded.stop;
    const owner = new pg.Pool({ connectionString: embedded.ownerUrl, max: 2 });
    try {
      const applied = await migrateHub(owner);
      if (applied.length) log('hub.migrated', { versions: applied });
      await ensureAppLogin(owner, HUB_APP_USER, embeddedAppPassword(dir));
    } finally {
      await owner.end();
    }
    appUrl = embedded.appUrl;
    process.stdout.write(`PostgreSQL (embedded, data in ${dir}): ${embedded.shownUrl}\n`);
  }
  const [cert, key] = [f.get('tls-cert'), f.get('tls-key')];
  if (!cert !== !key) throw new Error('--tls-cert and --tls-key go together');
  const hub = await startHub({
    pg: appUrl,
    ...(cert && key ? { tls: { cert: readFileSync(cert), key: readFileSync(key) } } : {}),
    host: f.get('host') ?? '127.0.0.1',
    port: Number(f.get('port') ?? 41880),
    log,
  });
  process.stdout.write(`Branch hub: ${hub.url}\n`);
  const shutdown = () => {
    hub
      .close()
      .then(stopPg)
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

export async function runHubCli(args: string[]): Promise<number> {
  const [first, ...rest] = args;
  const command = first === undefined || first.startsWith('--') ? 'serve' : first;
  const f = flags(command === first ? rest : args);
  switch (command) {
    case 'serve':
      await serve(f);
      return -1; // keeps running
    case 'migrate': {
      const url = f.get('pg');
      if (!url) throw new Error('migrate needs --pg OWNER_URL');
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      try {
        const applied = await migrateHub(pool);
        process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'schema is current\n');
        const user = f.get('app-user');
        const pw = f.get('app-password');
        if (user && pw) await ensureAppLogin(pool, user, pw);
      } finally {
        await pool.end();
      }
      return 0;
    }
    case 'enrol-code': {
      const branch = f.get('branch');
      if (!branch) throw new Error('enrol-code needs --branch');
      const { pool, done } = await connect(f);
      try {
        await ensureBranch(pool, branch, f.get('name') ?? branch);
        const { code, expiresAt } = await issueEnrolCode(pool, branch, Number(f.get('hours') ?? 24) * 3600_000);
        process.stdout.write(
          `Branch ${branch}: one-time enrolment code ${code} (expires ${expiresAt.toISOString()})\n`,
        );
      } finally {
        await done();
      }
      return 0;
    }
    case 'pcs': {
      const { pool, done } = await connect(f);
      try {
        const r = await pool.query(
          `SELECT pc_id, name, enrolled_at, last_sync_at, last_mutation_id, queued, revoked_at FROM pcs
            WHERE branch = $1 ORDER BY name`,
          [f.get('branch') ?? ''],
        );
        for (const row of r.rows) process.stdout.write(`${JSON.stringify(row)}\n`);
      } finally {
        await done();
      }
      return 0;
    }
    case 'audit-anchors': {
      const branch = f.get('branch');
      if (!branch) throw new Error('audit-anchors needs --branch');
      const { pool, done } = await connect(f);
      try {
        for (const row of await branchAnchors(pool, branch)) process.stdout.write(`${JSON.stringify(row)}\n`);
      } finally {
        await done();
      }
      return 0;
    }
    case 'users': {
      const { pool, done } = await connect(f);
      try {
        for (const u of await hubUsers(pool, f.get('branch') ?? '')) process.stdout.write(`${JSON.stringify(u)}\n`);
      } finally {
        await done();
      }
      return 0;
    }
    case 'revoke': {
      const [branch, pcId] = [f.get('branch'), f.get('pc')];
      if (!branch || !pcId) throw new Error('revoke needs --branch and --pc');
      const { pool, done } = await connect(f);
      try {
        const ok = await revokePc(pool, branch, pcId);
        process.stdout.write(ok ? `PC ${pcId} revoked\n` : `no active PC ${pcId} in branch ${branch}\n`);
        return ok ? 0 : 1;
      } finally {
        await done();
      }
    }
    case 'compact': {
      const { pool, done } = await connect(f);
      try {
        const n = await compactChanges(pool, f.get('branch'));
        process.stdout.write(`removed ${n} superseded change-log rows\n`);
      } finally {
        await done();
      }
      return 0;
    }
    default:
      process.stdout.write(USAGE);
      return command === 'help' ? 0 : 2;
  }
}

runHubCli(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof HubSchemaError)
      log('hub.schema', { problem: err.problem, ...err.details, hint: 'run: npm run hub -- migrate --pg OWNER_URL' });
    else log('hub.failed', { message: (err as Error).message });
    process.exit(1);
  },
);
