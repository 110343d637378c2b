import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import { type WebSocket, WebSocketServer } from 'ws';
import type { PcIdentity } from '../../db/hub/enrol';
import type { WakeMessage } from '../../shared/sync/protocol';

/**
 * Wake-ups. Every hub process LISTENs on one channel; a hub that committed a push NOTIFYs it with the
 * branch as payload, and each hub tells its own connected PCs of that branch to pull. So with several
 * hub processes behind a load balancer, a PC connected to any of them hears of a push made on another.
 * Wake-ups carry no data: a lost one costs latency only, because PCs also pull on a timer and on
 * reconnect; that is also why a LISTEN connection that drops wakes every PC once it is back.
 */
export const WAKE_CHANNEL = 'crm_hub_wake';
const PING_MS = 30_000;

type Log = (msg: string, extra?: Record<string, unknown>) => void;

export class WakeHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly byBranch = new Map<string, Set<WebSocket>>();
  private listener: pg.Client | null = null;
  private closed = false;
  private retryMs = 500;
  private readonly alive = new WeakSet<WebSocket>();
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly pgConfig: pg.ClientConfig,
    private readonly log: Log,
  ) {
    // A PC that vanished without a close (cable pulled, laptop lid) is found by the missing pong.
    this.pinger = setInterval(() => {
      for (const set of this.byBranch.values())
        for (const ws of set) {
          if (!this.alive.has(ws)) ws.terminate();
          else {
            this.alive.delete(ws);
            ws.ping();
          }
        }
    }, PING_MS);
    this.pinger.unref();
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.pgConfig);
    client.on('notification', (n) => {
      if (n.channel === WAKE_CHANNEL && n.payload) this.wakeBranch(n.payload);
    });
    client.on('error', (err) => {
      this.log('hub.listen.error', { message: err.message });
      if (this.listener === client) this.listener = null;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${WAKE_CHANNEL}`);
    this.listener = client;
    this.retryMs = 500;
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 15_000);
    setTimeout(() => {
      this.connect().then(
        // Notifications sent while we were away are lost: tell everyone to pull.
        () => {
          for (const b of this.byBranch.keys()) this.wakeBranch(b);
        },
        () => this.scheduleReconnect(),
      );
    }, wait).unref();
  }

  /** Tells every PC of the branch connected to this process to pull. */
  wakeBranch(branch: string): void {
    const set = this.byBranch.get(branch);
    if (!set) return;
    const msg = JSON.stringify({ type: 'pull' } satisfies WakeMessage);
    for (const ws of set) if (ws.readyState === ws.OPEN) ws.send(msg);
  }

  /** After a commit: every hub process (this one included, through its own LISTEN) wakes its PCs. */
  static async notify(pool: pg.Pool, branch: string): Promise<void> {
    await pool.query('SELECT pg_notify($1, $2)', [WAKE_CHANNEL, branch]);
  }

  /** Upgrades an authenticated request on /wake; the PC stays registered under its branch until it leaves. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, pc: PcIdentity): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      let set = this.byBranch.get(pc.branch);
      if (!set) {
        set = new Set();
        this.byBranch.set(pc.branch, set);
      }
      set.add(ws);
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      ws.on('close', () => {
        set.delete(ws);
        if (set.size === 0) this.byBranch.delete(pc.branch);
      });
      ws.on('error', () => ws.terminate());
    });
  }

  connectedCount(branch?: string): number {
    if (branch) return this.byBranch.get(branch)?.size ?? 0;
    let n = 0;
    for (const s of this.byBranch.values()) n += s.size;
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pinger);
    for (const set of this.byBranch.values()) for (const ws of set) ws.terminate();
    this.byBranch.clear();
    this.wss.close();
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }
}
