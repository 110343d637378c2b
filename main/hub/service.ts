import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { anchorState, recordAnchor } from '../../db/hub/anchors';
import { authenticatePc, enrolPc, type PcIdentity } from '../../db/hub/enrol';
import { checkHubSchema } from '../../db/hub/migrate';
import { listPcs, revokePcSelf } from '../../db/hub/pcs';
import { type ActorResolver, applyMutations, type BeforeCommit, lastMutationId, pullChanges } from '../../db/hub/push';
import {
  type EnrolResponse,
  enrolRequestSchema,
  type HubErrorBody,
  MAX_PULL_USERS,
  MAX_PUSH_BYTES,
  type PushResponse,
  type PushResult,
  pushRequestSchema,
} from '../../shared/sync/protocol';
import { anchorPushSchema } from '../../shared/sync/audit-anchor';
import { WakeHub } from './wake';

/**
 * The hub service: stateless HTTP in front of PostgreSQL (everything it knows is in the database, so
 * any number of processes can run behind a load balancer). JSON endpoints:
 *   POST /enrol         branch + one-time code + PC name → PC id + secret (shown once)
 *   POST /push          a batch of mutations, applied in order, each atomically and once
 *   GET  /pull?cursor=N[&queued=Q][&user=U…] changes of the PC's branch after N, in commit order, that
 *                       its pull scope reaches (U: users who signed in on it; Q: the PC's outbox size,
 *                       kept for the administrator's list of PCs)
 *   GET  /wake          WebSocket: "pull now" after every commit in the PC's branch
 *   GET  /audit-anchor  the PC's latest audit chain anchor; POST: a new head (shared/sync/audit-anchor.ts)
 *   GET  /pcs           the branch's enrolled PCs: last sync, queue (the administrator's list)
 *   POST /leave         the calling PC leaves: its key stops working (the administrator re-enrols it)
 *   GET  /health        liveness for the load balancer
 * HTTPS and WSS with the bank's certificate when `tls` is given (`npm run hub -- --tls-cert --tls-key`;
 * PCs trust the bank's CA, main/sync/hub-client.ts); plain HTTP is for loopback (tests, a hub and its
 * TLS-terminating proxy on one machine).
 */
export interface HubOptions {
  /** PostgreSQL as the application role (crm_hub_app member). */
  pg: string | pg.ClientConfig;
  host?: string;
  /** 0: any free port. */
  port?: number;
  poolSize?: number;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
  /** Certificate chain and private key (PEM) to serve HTTPS/WSS with, e.g. issued by the bank's CA. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Test seam: runs inside each push transaction just before COMMIT. */
  beforeCommit?: BeforeCommit;
  /** Resolves a mutation's user to their role (see ActorResolver); the seam for users on the hub. */
  resolveActor?: ActorResolver;
}

export interface Hub {
  url: string;
  port: number;
  pool: pg.Pool;
  wake: WakeHub;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: HubErrorBody,
  ) {
    super(body.error);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PUSH_BYTES) throw new HttpError(413, { error: 'too_large' });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, { error: 'bad_request', detail: 'json' });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * The hub should reach PostgreSQL as a crm_hub_app member, not as the owner: a hub bug or a stolen hub
 * host then cannot drop tables or rewrite the change log. Started as a superuser or a table owner (a
 * developer's shortcut), it says so once at start.
 */
async function warnIfPrivileged(pool: pg.Pool, log: NonNullable<HubOptions['log']>): Promise<void> {
  const r = await pool.query(
    `SELECT r.rolsuper AS superuser, has_schema_privilege('public', 'CREATE') AS can_create,
            EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS owns_tables
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const p = r.rows[0] as { superuser: boolean; can_create: boolean; owns_tables: boolean };
  if (p.superuser || p.can_create || p.owns_tables)
    log('hub.privileges', {
      ...p,
      hint: 'connect the hub as a member of crm_hub_app (npm run hub -- migrate --app-user)',
    });
}

export async function startHub(opts: HubOptions): Promise<Hub> {
  const config: pg.ClientConfig = typeof opts.pg === 'string' ? { connectionString: opts.pg } : opts.pg;
  const log = opts.log ?? (() => {});
  const pool = new pg.Pool({ ...config, max: opts.poolSize ?? 10 });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', (err) => log('hub.pool.error', { message: err.message }));
  try {
    await checkHubSchema(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  await warnIfPrivileged(pool, log);
  const wake = new WakeHub(config, log);
  await wake.start();

  async function auth(req: IncomingMessage): Promise<PcIdentity> {
    const pc = await authenticatePc(pool, req.headers.authorization);
    if (!pc) throw new HttpError(401, { error: 'unauthenticated' });
    return pc;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    const key = `${req.method} ${url.pathname}`;
    if (key === 'GET /health') return send(res, 200, { ok: true });
    if (key === 'POST /enrol') {
      const parsed = enrolRequestSchema.safeParse(await readJson(req));
      if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: 'enrol' });
      const pc = await enrolPc(pool, parsed.data);
      if (!pc) throw new HttpError(403, { error: 'enrol_refused' });
      log('hub.enrol', { branch: parsed.data.branch, pcId: pc.pcId });
      return send(res, 200, { branch: parsed.data.branch, ...pc } satisfies EnrolResponse);
    }
    if (key === 'POST /push') {
      const pc = await auth(req);
      const parsed = pushRequestSchema.safeParse(await readJson(req));
      if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: parsed.error.issues[0]?.message });
      const ms = parsed.data.mutations;
      if (ms.some((m, i) => i > 0 && m.id <= ms[i - 1]!.id))
        throw new HttpError(400, { error: 'bad_request', detail: 'ids_not_increasing' });
      const results: PushResult[] = await applyMutations(pool, pc, ms, {
        beforeCommit: opts.beforeCommit,
        resolveActor: opts.resolveActor,
      });
      if (results.some((r) => r.outcome === 'applied')) await WakeHub.notify(pool, pc.branch);
      return send(res, 200, { results, lastMutationId: await lastMutationId(pool, pc) } satisfies PushResponse);
    }
    if (key === 'GET /pull') {
      const pc = await auth(req);
      const cursor = Number(url.searchParams.get('cursor') ?? '0');
      const queuedParam = url.searchParams.get('queued');
      const queued = queuedParam === null ? null : Number(queuedParam);
      // The users who signed in on the PC: their scopes make its pull scope (shared/sync/read-rules.ts).
      const users = url.searchParams.getAll('user');
      if (
        !Number.isSafeInteger(cursor) ||
        cursor < 0 ||
        (queued !== null && !(Number.isSafeInteger(queued) && queued >= 0)) ||
        users.length > MAX_PULL_USERS ||
        users.some((u) => u.length < 1 || u.length > 64)
      )
        throw new HttpError(400, { error: 'bad_request' });
      return send(res, 200, await pullChanges(pool, pc, cursor, { queued, users }));
    }
    if (key === 'GET /audit-anchor')
      return send(res, 200, await anchorState(pool, await auth(req), { all: url.searchParams.get('all') === '1' }));
    if (key === 'POST /audit-anchor') {
      const pc = await auth(req);
      const parsed = anchorPushSchema.safeParse(await readJson(req));
      if (!parsed.success) throw new HttpError(400, { error: 'bad_request', detail: 'audit_anchor' });
      const r = await recordAnchor(pool, pc, parsed.data);
      if (!r.accepted) log('hub.auditAnchor.refused', { branch: pc.branch, pcId: pc.pcId, reason: r.reason });
      return send(res, r.accepted ? 200 : 409, r);
    }
    if (key === 'GET /pcs') {
      const pc = await auth(req);
      return send(res, 200, { pcs: await listPcs(pool, pc.branch) });
    }
    if (key === 'POST /leave') {
      const pc = await auth(req);
      await revokePcSelf(pool, pc);
      log('hub.leave', { branch: pc.branch, pcId: pc.pcId });
      return send(res, 200, { ok: true });
    }
    throw new HttpError(404, { error: 'not_found' });
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) return send(res, err.status, err.body);
      log('hub.internal', { message: (err as Error).message, stack: (err as Error).stack });
      send(res, 500, { error: 'internal' } satisfies HubErrorBody);
    });
  };
  // TLS 1.2 at least (what bank policies ask for); Node's default cipher list has no weak suites.
  const server: Server = opts.tls
    ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, handle)
    : createServer(handle);
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://hub').pathname !== '/wake') return socket.destroy();
    authenticatePc(pool, req.headers.authorization).then(
      (pc) => {
        if (!pc) {
          socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
          return;
        }
        wake.accept(req, socket, head, pc);
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    pool,
    wake,
    async close() {
      await wake.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
