import { addMonths, civilFromDay, SECONDS_PER_DAY } from './calendar';
import * as ctx from './context';
import type { Cust, Gen } from './context';
import type { Plant } from './behaviour';
import { randomName } from './names';
import { companyName, INDUSTRIES } from './people';
import { type Rng, WeightedList, WeightedTable } from './rng';

// Bound once: under a CommonJS transform (tsx, vitest) every use of an imported name is a getter call,
// which showed up as a sixth of the generator's own time in the per-transaction loop.
const { ACCT_CARD, ACCT_DEMAND, CH, CHANNELS, MAX_EVENTS, roundTo, T, TXN_DIRECTION, TXN_TYPES } = ctx;

/**
 * A customer's 12 months of account activity: events are drawn per type, channel and time of day,
 * sorted, and then walked in time order so every running balance is real (debits never overdraw the
 * demand account) and the month-end balances fall out of the same walk.
 */

// Share of each hour of the day, per channel: online peaks in the evening, POS at meal times.
const HOURS: Record<number, readonly number[]> = {
  [CH.online]: [2, 1, 0.6, 0.4, 0.3, 0.4, 1, 2.5, 4, 5, 5.5, 6, 7, 6, 5.5, 5.5, 5.5, 6, 7, 8, 9, 9, 7, 4],
  [CH.pos]: [0.5, 0.2, 0.1, 0.1, 0.1, 0.2, 0.8, 2.5, 4, 4, 5, 7, 9, 6, 4, 4, 4.5, 6, 8, 9, 7, 5, 3, 1.5],
  [CH.atm]: [0.5, 0.3, 0.2, 0.1, 0.1, 0.2, 0.8, 2, 3.5, 4, 4.5, 5, 5.5, 5, 4.5, 4.5, 5, 6, 6.5, 6, 5, 4, 2.5, 1],
  [CH.phone]: [0, 0, 0, 0, 0, 0, 0, 0.5, 3, 5, 5, 4, 3, 4, 5, 5, 4, 3, 2, 1.5, 1, 0.5, 0, 0],
};
/** The counter is open 09:00-17:00; the weights cover those eight hours. */
const COUNTER_HOURS = new WeightedTable([5, 7, 6, 4, 5, 6, 6, 4]);
const hourTables = [0, 1, 2, 3, 4].map((ch) => (HOURS[ch] ? new WeightedTable(HOURS[ch]) : COUNTER_HOURS));

const PERSONAL_TYPES = new WeightedList(
  [T.consumption, T.transferOut, T.transferIn, T.withdrawal, T.deposit, T.fee],
  [36, 17, 15, 11, 6, 4],
);
const CORPORATE_TYPES = new WeightedList(
  [T.transferIn, T.transferOut, T.fee, T.deposit, T.withdrawal],
  [36, 40, 8, 7, 9],
);
const ch = (pairs: [number, number][]): WeightedList<number> => WeightedList.of(pairs);
const PERSONAL_CHANNELS: Partial<Record<number, WeightedList<number>>> = {
  [T.consumption]: ch([
    [CH.pos, 55],
    [CH.online, 45],
  ]),
  [T.transferOut]: ch([
    [CH.online, 78],
    [CH.phone, 9],
    [CH.counter, 13],
  ]),
  [T.transferIn]: ch([
    [CH.online, 78],
    [CH.phone, 5],
    [CH.counter, 17],
  ]),
  [T.withdrawal]: ch([
    [CH.atm, 78],
    [CH.counter, 22],
  ]),
  [T.deposit]: ch([
    [CH.atm, 40],
    [CH.counter, 60],
  ]),
  [T.fee]: ch([[CH.online, 1]]),
};
const CORPORATE_CHANNELS: Partial<Record<number, WeightedList<number>>> = {
  [T.transferOut]: ch([
    [CH.online, 85],
    [CH.counter, 15],
  ]),
  [T.transferIn]: ch([
    [CH.online, 85],
    [CH.counter, 15],
  ]),
  [T.withdrawal]: ch([[CH.counter, 1]]),
  [T.deposit]: ch([[CH.counter, 1]]),
  [T.fee]: ch([[CH.online, 1]]),
};
const CASH_NOTES = new WeightedList(
  [100, 200, 300, 500, 1000, 2000, 3000, 5000].map((y) => y * 100),
  [10, 14, 8, 20, 18, 14, 8, 8],
);
const FEES = new WeightedList([200, 300, 500, 1000, 2000, 5000], [30, 10, 25, 15, 12, 8]);
/** A debit the balance cannot cover becomes the nearest credit of the same channel. */
const FLIP = [T.deposit, T.deposit, T.refund, T.transferIn, T.transferIn];

const POS_MERCHANTS = [
  '联华超市',
  '全家便利店',
  '罗森便利店',
  '盒马鲜生',
  '星巴克咖啡',
  '肯德基',
  '麦当劳',
  '屈臣氏',
  '百联东方商厦',
  '正大广场',
  '中石化加油站',
  '华联吉买盛',
  '家乐福',
  '海底捞火锅',
  '永辉超市',
  '苏宁易购',
  '国美电器',
  '上海第一八佰伴',
];
const ONLINE_MERCHANTS = [
  '支付宝（中国）网络技术有限公司',
  '财付通支付科技有限公司',
  '京东支付',
  '美团支付',
  '拼多多',
  '携程旅行网',
  '中国铁路12306',
  '国家电网上海市电力公司',
  '上海燃气有限公司',
  '中国移动通信上海公司',
  '上海城投水务',
];
const MEMO_OUT = [null, null, '转账', '房租', '生活费', '还款', '学费'];
const MEMO_IN = [null, null, '转账', '往来款', '还款', '报销'];
const MEMO_CORP_OUT = ['货款', '服务费', '代发工资', '税费', '租金', null];
const MEMO_CORP_IN = ['货款', '服务费', '往来款', null];
const MEMO_FEE = ['短信通知服务费', '跨行转账手续费', '年费', '账户管理费'];
const MEMO: Record<number, string | null> = {
  [T.salary]: '代发工资',
  [T.loanRepayment]: '贷款还款',
  [T.interest]: '结息',
  [T.refund]: '退货退款',
};

export interface ActivityInput {
  demandAccountId: number;
  /** 0 when the customer holds no credit card. */
  cardAccountId: number;
  /** Day the card was issued; card spending starts then. */
  cardOpenedOn: number;
  /** Day the demand account was opened. */
  openedOn: number;
  /** Balance the account should end near, in fen. */
  targetFen: number;
  /** Total transactions to generate (including the regular ones). */
  count: number;
  salaryFen: number;
  salaryDay: number;
  employer: string | null;
  ratePpm: number;
  /** Planted behaviour (db/demo/behaviour.ts): the signs before leaving, borrowing or buying wealth. */
  plant?: Plant;
}

/** A leaver's transfers out, in time order, as shares of the demand balance at the time (db/demo/behaviour.ts). */
const LEAVER_SHARES = [0.25, 0.3, 0.5, 0.8, 1] as const;

/**
 * Large one-off payments by ordinary customers (a house down payment, a car, tuition abroad, a transfer
 * to a broker), 200,000 yuan or more: one individual customer in LARGE_EVERY with a whole year of
 * activity, counted over the store, so the branch sees them all year at a steady rate (about 5% of the
 * customers a year: 21 on the 400-customer e2e store, 32 on 600, at most three weeks apart). The money
 * is gathered the same morning (family, a sale, a deposit maturing elsewhere) and paid out in the
 * afternoon: the pair moves no month-end balance, so demand deposits stay as they were. Days follow a
 * golden-ratio sequence (no month goes without one); amounts and counterparties come from a stream of
 * their own, so the rest of the branch is drawn exactly as before.
 */
const LARGE_EVERY = 15;
const GOLDEN = 0.6180339887498949;
const LARGE_KINDS = [
  { weight: 40, memo: '购房首付', medianFen: 90_000_000, minFen: 30_000_000 },
  { weight: 25, memo: '购车款', medianFen: 28_000_000, minFen: 20_000_000 },
  { weight: 15, memo: '留学学费', medianFen: 30_000_000, minFen: 20_000_000 },
  { weight: 20, memo: '银证转账', medianFen: 50_000_000, minFen: 20_000_000 },
] as const;
const LARGE_KIND = new WeightedList(
  LARGE_KINDS.map((_, k) => k),
  LARGE_KINDS.map((k) => k.weight),
);
const LARGE_FUNDING_MEMO = ['往来款', '家庭资助', '售房款', '定期到期转入'];

export class Activity {
  readonly monthEnd = new Float64Array(12);
  finalBalance = 0;
  lastDay = -1;
  written = 0;
  private readonly daySeq: Int32Array;
  private readonly boundaries: Float64Array;
  private readonly people: string[];
  private readonly companies: string[];
  /** First day of each month of the window. */
  private readonly monthStarts: number[] = [];
  private readonly januaryIdx: number;
  /** Demand interest is settled on the 20th of each quarter's last month and posted on the 21st. */
  private readonly interestDays: number[] = [];
  /**
   * Buffer index of a leaver's first outflow (the last events queued; -1: none). Their amounts are
   * shares of the balance when they happen, so they play no part in the opening balance: before the
   * signs a leaver holds the balance drawn for the customer, like everyone else.
   */
  private drainFrom = -1;
  /** Stream of the large one-off payments (LARGE_EVERY), forked from the pools' stream. */
  private readonly large: Rng;
  private readonly largePhase: number;
  /** Individual customers with a whole year seen, and large payments placed, in the whole store. */
  private largeSeen = 0;
  private largePlaced = 0;
  /** Buffer indexes of this customer's large payment and its funding (-1: none), and its memo. */
  private largeIn = -1;
  private largeOut = -1;
  private largeMemo = '';

  constructor(
    private readonly g: Gen,
    poolRng: Rng,
  ) {
    const cal = g.cal;
    this.daySeq = new Int32Array(cal.windowDays);
    this.boundaries = Float64Array.from(cal.balanceDates, (d) => (d - cal.windowStart + 1) * SECONDS_PER_DAY);
    for (let k = 0; k < 12; k++) this.monthStarts.push(addMonths(cal.windowStart, k));
    this.januaryIdx = this.monthStarts.findIndex((d) => civilFromDay(d)[1] === 1);
    for (const first of this.monthStarts) {
      if (civilFromDay(first)[1] % 3 === 0 && first + 20 <= cal.asOf) this.interestDays.push(first + 20);
    }
    this.people = Array.from({ length: 1500 }, () => randomName(poolRng));
    this.companies = Array.from({ length: 400 }, () => companyName(poolRng, INDUSTRIES.sample(poolRng)[1]));
    this.large = poolRng.fork(7);
    this.largePhase = this.large.next();
  }

  /** Queues the customer's large payment and its funding when their turn in the branch comes (LARGE_EVERY). */
  private queueLarge(c: Cust, a: ActivityInput): void {
    this.largeIn = -1;
    this.largeOut = -1;
    const { cal, events } = this.g;
    if (c.corporate || a.openedOn > cal.windowStart || a.plant?.leaveDay) return;
    const seen = this.largeSeen++;
    if (seen % LARGE_EVERY !== LARGE_EVERY - 1 || events.n + 2 > MAX_EVENTS) return;
    const placed = this.largePlaced++;
    const u = (this.largePhase + placed * GOLDEN) % 1;
    const day = Math.floor(u * cal.windowDays);
    const r = this.large;
    const kind = LARGE_KINDS[LARGE_KIND.sample(r)]!;
    const amount = roundTo(Math.max(kind.minFen, r.logNormal(kind.medianFen, 0.45)), 10000);
    const base = day * SECONDS_PER_DAY;
    this.largeMemo = kind.memo;
    this.largeIn = events.n;
    events.push(base + (9 + r.int(2)) * 3600 + r.int(3600), T.transferIn, CH.online, amount, ACCT_DEMAND);
    this.largeOut = events.n;
    events.push(base + (14 + r.int(3)) * 3600 + r.int(3600), T.transferOut, CH.online, amount, ACCT_DEMAND);
  }

  private isLarge(i: number): boolean {
    return i === this.largeIn || i === this.largeOut;
  }

  private time(rng: Rng, channel: number, startDay: number): number {
    const cal = this.g.cal;
    let day: number;
    if (channel === CH.counter) {
      const first = cal.firstCounterIdx[startDay - cal.windowStart]!;
      day = cal.counterDays[first + rng.int(cal.counterDays.length - first)]!;
      return (day - cal.windowStart) * SECONDS_PER_DAY + (9 + COUNTER_HOURS.sample(rng)) * 3600 + rng.int(3600);
    }
    day = startDay + rng.int(cal.asOf - startDay + 1);
    return (day - cal.windowStart) * SECONDS_PER_DAY + hourTables[channel]!.sample(rng) * 3600 + rng.int(3600);
  }

  /** Queues the customer's events (loan repayments are already queued) and writes them in time order. */
  run(c: Cust, a: ActivityInput): void {
    const { rng, cal, events } = this.g;
    const startDay = Math.max(cal.windowStart, a.openedOn);
    const counterOpen = cal.firstCounterIdx[startDay - cal.windowStart]! < cal.counterDays.length;
    let budget = Math.max(a.count, events.n + 1) - events.n;
    const sc = Math.min(300, Math.max(0.05, a.targetFen / (c.corporate ? 30_000_000 : 3_000_000)));

    if (a.salaryFen > 0 && budget >= 14) {
      for (let k = 0; k < 12; k++) {
        const d = this.monthStarts[k]! + a.salaryDay - 1;
        if (d < startDay || d > cal.asOf) continue;
        // Year-end bonuses are paid with January's salary.
        const bonus = this.januaryIdx === k && rng.chance(0.5) ? 1.5 + 1.5 * rng.next() : 1;
        const amount = Math.round(a.salaryFen * bonus * (1 + 0.04 * rng.normal()));
        events.push(
          (d - cal.windowStart) * SECONDS_PER_DAY + 9 * 3600 + rng.int(9000),
          T.salary,
          CH.online,
          Math.max(100, amount),
          ACCT_DEMAND,
        );
        budget--;
      }
    }
    if (budget >= 24) {
      for (const d of this.interestDays) {
        if (d < startDay) continue;
        events.push(
          (d - cal.windowStart) * SECONDS_PER_DAY + 3600 + rng.int(7200),
          T.interest,
          CH.online,
          0,
          ACCT_DEMAND,
        );
        budget--;
      }
    }
    let opening = -1;
    if (a.openedOn >= cal.windowStart) {
      // The first deposit is made at the counter on the opening day (or the next day it is open).
      opening = events.n;
      const first = cal.firstCounterIdx[startDay - cal.windowStart]!;
      const second = counterOpen
        ? (cal.counterDays[first]! - cal.windowStart) * SECONDS_PER_DAY +
          (9 + COUNTER_HOURS.sample(rng)) * 3600 +
          rng.int(3600)
        : (startDay - cal.windowStart) * SECONDS_PER_DAY + 10 * 3600 + rng.int(3600);
      events.push(second, T.deposit, counterOpen ? CH.counter : CH.online, 0, ACCT_DEMAND);
      budget--;
    }

    const types = c.corporate ? CORPORATE_TYPES : PERSONAL_TYPES;
    const channels = c.corporate ? CORPORATE_CHANNELS : PERSONAL_CHANNELS;
    const k03 = sc ** 0.3;
    const k05 = Math.sqrt(sc);
    const k06 = sc ** 0.6;
    const corp = c.corporate ? 20 : 1;
    const cardFrom = (Math.max(a.cardOpenedOn, cal.windowStart) - cal.windowStart) * SECONDS_PER_DAY;
    for (; budget > 0; budget--) {
      const type = types.sample(rng);
      let channel = channels[type]!.sample(rng);
      if (channel === CH.counter && !counterOpen) channel = CH.online;
      let amount: number;
      switch (type) {
        case T.consumption:
          amount = rng.logNormal(8000 * k03, 1.1);
          break;
        case T.transferOut:
          amount = rng.logNormal(150_000 * k06 * corp, 1.2);
          break;
        case T.transferIn:
          amount = rng.logNormal(180_000 * k06 * corp, 1.2);
          break;
        case T.fee:
          amount = FEES.sample(rng);
          break;
        default:
          amount =
            channel === CH.atm
              ? CASH_NOTES.sample(rng)
              : roundTo(rng.logNormal((type === T.deposit ? 800_000 : 500_000) * k05 * corp, 0.9), 10000);
      }
      const second = this.time(rng, channel, startDay);
      const account =
        type === T.consumption && a.cardAccountId > 0 && second >= cardFrom && rng.chance(0.45)
          ? ACCT_CARD
          : ACCT_DEMAND;
      if (!events.push(second, type, channel, Math.max(1, Math.round(amount)), account)) break;
    }

    this.drainFrom = -1;
    this.queueLarge(c, a);
    if (a.plant) opening = this.shape(a, a.plant, opening);
    // Start from the balance that makes the year's net flow end near the target.
    let net = this.netFlow(opening);
    if (net > 0.5 * a.targetFen) net = this.rebalance(opening, net - 0.5 * a.targetFen);
    let balance = 0;
    if (opening >= 0) events.amount[opening] = roundTo(Math.max(10000, a.targetFen - net), 100);
    else balance = Math.max(0, Math.round(a.targetFen - net));
    events.sort();
    this.walk(c, a, balance);
  }

  /** The planted signs (db/demo/behaviour.ts) on the queued events, before they are sorted and walked. */
  private shape(a: ActivityInput, p: Plant, opening: number): number {
    const { rng, cal, events } = this.g;
    const at = (day: number, hour: number) => (day - cal.windowStart) * SECONDS_PER_DAY + hour * 3600 + rng.int(3600);
    const secondOf = (i: number) => Math.floor(events.key[i]! / 65536);
    // At the counter: the first day it is open on or after `day`, in its hours (or online when it never opens).
    const counter = (day: number, type: number, amount: number) => {
      const idx = cal.firstCounterIdx[Math.max(0, day - cal.windowStart)]!;
      const open = idx < cal.counterDays.length ? cal.counterDays[idx]! : -1;
      if (open < 0 || open > cal.asOf)
        events.push(at(Math.min(day, cal.asOf), 10), type, CH.online, amount, ACCT_DEMAND);
      else
        events.push(
          (open - cal.windowStart) * SECONDS_PER_DAY + (9 + COUNTER_HOURS.sample(rng)) * 3600 + rng.int(3600),
          type,
          CH.counter,
          amount,
          ACCT_DEMAND,
        );
    };
    if (p.leaveDay) {
      const fade = (p.fadeStart - cal.windowStart) * SECONDS_PER_DAY;
      const gone = (p.leaveDay - cal.windowStart) * SECONDS_PER_DAY;
      const regular = (t: number) => t === T.interest || t === T.loanRepayment;
      opening = events.keep((i) => {
        if (i === opening) return true;
        const s = secondOf(i);
        const t = events.type[i]!;
        if (s >= gone) return regular(t);
        if (s >= fade && !regular(t) && t !== T.salary) return rng.next() < 0.25;
        return true;
      }, opening);
      // Two transfers out of about a quarter of the balance while fading, then three that drain what is
      // left: the last events queued, their amounts a share of the balance when they happen (walk()).
      const span = Math.max(1, p.leaveDay - p.fadeStart);
      this.drainFrom = events.n;
      for (let k = 0; k < 2; k++)
        events.push(at(p.fadeStart + rng.int(span), 10), T.transferOut, CH.online, 100, ACCT_DEMAND);
      for (let k = 0; k < 3; k++) counter(Math.min(cal.asOf, p.leaveDay + k), T.transferOut, 100);
    }
    if (p.borrowDay) {
      const visits = 3 + rng.int(3);
      for (let k = 0; k < visits; k++) {
        const day = p.borrowDay - 1 - rng.int(90);
        if (day < cal.windowStart) continue;
        counter(day, T.deposit, roundTo(Math.max(500_000, a.targetFen * 0.05), 10000));
      }
      const receipts = 2 + rng.int(2);
      for (let k = 0; k < receipts; k++) {
        const day = p.borrowDay - 1 - rng.int(90);
        if (day < cal.windowStart) continue;
        events.push(
          at(day, 14),
          T.transferIn,
          CH.online,
          roundTo(Math.max(1_000_000, a.targetFen * 0.12), 100),
          ACCT_DEMAND,
        );
      }
    }
    if (p.wealthDay) {
      for (let k = 0; k < 2; k++) {
        const day = p.wealthDay - 1 - rng.int(60);
        if (day < cal.windowStart) continue;
        events.push(
          at(day, 15),
          T.transferIn,
          CH.online,
          roundTo(Math.max(1_000_000, a.targetFen * 0.15), 100),
          ACCT_DEMAND,
        );
      }
    }
    return opening;
  }

  private isDrain(i: number): boolean {
    return this.drainFrom >= 0 && i >= this.drainFrom;
  }

  /** Credits minus debits on the demand account over the year (interest, the opening deposit and a leaver's outflows aside). */
  private netFlow(opening: number): number {
    const ev = this.g.events;
    let net = 0;
    for (let i = 0; i < ev.n; i++) {
      if (ev.account[i] !== ACCT_DEMAND || i === opening || this.isDrain(i) || this.isLarge(i)) continue;
      net += TXN_DIRECTION[ev.type[i]!] === 'C' ? ev.amount[i]! : -ev.amount[i]!;
    }
    return net;
  }

  /**
   * A year whose inflows exceed what the target balance can absorb would end far above the target
   * (salary earners accumulating, lucky heavy-tailed transfers): shrink the discretionary credits and,
   * if that is not enough, grow the debits, so balances keep the distribution they were drawn from.
   */
  private rebalance(opening: number, excess: number): number {
    const ev = this.g.events;
    const isCredit = (t: number): boolean => t === T.transferIn || t === T.deposit;
    const isDebit = (t: number): boolean => t === T.transferOut || t === T.withdrawal || t === T.consumption;
    let credits = 0;
    let debits = 0;
    for (let i = 0; i < ev.n; i++) {
      if (ev.account[i] !== ACCT_DEMAND || i === opening || this.isDrain(i) || this.isLarge(i)) continue;
      if (isCredit(ev.type[i]!)) credits += ev.amount[i]!;
      else if (isDebit(ev.type[i]!)) debits += ev.amount[i]!;
    }
    const cut = Math.min(excess, credits * 0.8);
    const shrink = credits > 0 ? 1 - cut / credits : 1;
    const grow = debits > 0 ? 1 + (excess - cut) / debits : 1;
    for (let i = 0; i < ev.n; i++) {
      if (ev.account[i] !== ACCT_DEMAND || i === opening || this.isDrain(i) || this.isLarge(i)) continue;
      const t = ev.type[i]!;
      const f = isCredit(t) ? shrink : isDebit(t) ? grow : 1;
      if (f === 1) continue;
      // Cash moves in whole hundreds of yuan; everything else to the fen.
      const unit = t === T.withdrawal || t === T.deposit ? 10000 : 1;
      ev.amount[i] = Math.max(unit, Math.round((ev.amount[i]! * f) / unit) * unit);
    }
    return this.netFlow(opening);
  }

  private walk(c: Cust, a: ActivityInput, start: number): void {
    const { rng, cal, ins, counts, events, org } = this.g;
    const tellers = org.tellersByOutlet[c.outlet]!;
    const bounds = this.boundaries;
    const me = this.monthEnd;
    let balance = start;
    let k = 0;
    let lastSecond = -1;
    let written = 0;
    let drains = 0;
    // A large payment's funding is spoken for from the morning to the afternoon: the other events of
    // those hours see the balance without it, as they would have without the pair.
    let held = 0;
    for (let j = 0; j < events.n; j++) {
      const i = events.order(j);
      const second = events.second(j);
      while (k < 12 && second >= bounds[k]!) me[k++] = balance;
      let type = events.type[i]!;
      const channel = events.channel[i]!;
      let amount = events.amount[i]!;
      const onDemand = events.account[i] === ACCT_DEMAND;
      if (type === T.interest) {
        amount = Math.round(((balance - held) * a.ratePpm) / 4e6);
        if (amount < 1) continue;
      }
      if (this.isDrain(i)) {
        // a leaver's outflows in time order: a quarter and 30% while fading, then half, most of the rest, all
        const share = LEAVER_SHARES[Math.min(LEAVER_SHARES.length - 1, drains++)]!;
        amount = share < 1 ? Math.floor((balance * share) / 100) * 100 : balance;
        if (amount < 1) continue;
      }
      const large = this.isLarge(i);
      let after: number | null = null;
      if (onDemand) {
        const free = balance - held;
        if (!large && TXN_DIRECTION[type] === 'D' && amount > free) {
          if (free >= 10000 && type !== T.loanRepayment && type !== T.fee) {
            amount = Math.max(100, Math.floor((free * (0.2 + 0.7 * rng.next())) / 100) * 100);
          } else {
            type = FLIP[channel]!;
          }
        }
        balance += TXN_DIRECTION[type] === 'C' ? amount : -amount;
        if (i === this.largeIn) held = amount;
        else if (i === this.largeOut) held = 0;
        after = balance;
      }
      const dayOff = Math.floor(second / SECONDS_PER_DAY);
      const seq = this.daySeq[dayOff]! + 1;
      this.daySeq[dayOff] = seq;
      const serial = cal.compact[dayOff]! + String(100_000_000 + seq).slice(1);
      let cpName: string | null = null;
      let cpAccount: string | null = null;
      let memo: string | null = MEMO[type] ?? null;
      switch (type) {
        case T.salary:
          cpName = a.employer;
          break;
        case T.transferIn:
        case T.transferOut: {
          const rr = large ? this.large : rng;
          const r = rr.next();
          if (c.corporate || r < 0.25) cpName = rr.pick(this.companies);
          else if (r < 0.8) cpName = rr.pick(this.people);
          if (cpName !== null && rr.next() < 0.5) cpAccount = `62${rr.digits(17)}`;
          if (large) {
            memo = i === this.largeOut ? this.largeMemo : rr.pick(LARGE_FUNDING_MEMO);
            break;
          }
          memo = rng.pick(
            c.corporate
              ? type === T.transferIn
                ? MEMO_CORP_IN
                : MEMO_CORP_OUT
              : type === T.transferIn
                ? MEMO_IN
                : MEMO_OUT,
          );
          break;
        }
        case T.consumption:
        case T.refund:
          cpName = rng.pick(channel === CH.pos ? POS_MERCHANTS : ONLINE_MERCHANTS);
          break;
        case T.withdrawal:
          memo = channel === CH.atm ? 'ATM取款' : '现金支取';
          break;
        case T.deposit:
          memo = channel === CH.atm ? 'ATM存款' : '现金存入';
          break;
        case T.fee:
          memo = rng.pick(MEMO_FEE);
          break;
      }
      ins.txn.row(
        ++counts.transactions,
        serial,
        onDemand ? a.demandAccountId : a.cardAccountId,
        c.id,
        cal.dateTime(cal.windowStart + dayOff, second - dayOff * SECONDS_PER_DAY),
        amount,
        TXN_DIRECTION[type]!,
        CHANNELS[channel]!,
        TXN_TYPES[type]!,
        after,
        cpName,
        cpAccount,
        memo,
        channel === CH.counter ? tellers[rng.int(tellers.length)]! : null,
      );
      written++;
      if (second > lastSecond) lastSecond = second;
    }
    while (k < 12) me[k++] = balance;
    this.finalBalance = balance;
    this.lastDay = lastSecond < 0 ? -1 : cal.windowStart + Math.floor(lastSecond / SECONDS_PER_DAY);
    this.written = written;
    c.rows += written;
  }

  /** No activity (dormant customers): the balance stands still all year. */
  still(balance: number): void {
    this.monthEnd.fill(balance);
    this.finalBalance = balance;
    this.lastDay = -1;
    this.written = 0;
  }
}
