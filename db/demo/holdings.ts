import { addMonths, civilFromDay, SECONDS_PER_DAY } from './calendar';
import { ACCT_DEMAND, CH, type Cust, type Gen, pad, roundTo, T } from './context';
import { BRANCH_CODE } from './org';
import { launchDay, P, type Product } from './products';
import { WeightedList } from './rng';

/**
 * Term deposits, wealth holdings and loans of one customer. Rows are written as they are made; the
 * customer's maintained figures are accumulated on `c`; loan repayments inside the activity window
 * are queued as events so they appear in the transaction history at their due dates.
 */

const termList = new WeightedList(P.term, [15, 15, 30, 12, 20, 8]);
const closedWealthList = new WeightedList(P.wealthClosed, [25, 30, 30, 15]);
const LARGE_CD_FEN = 200_000 * 100;

function between(g: Gen, lo: number, hi: number): number {
  return lo >= hi ? lo : lo + g.rng.int(hi - lo + 1);
}

/**
 * Active deposits maturing in the next twelve weeks are laid out week by week per manager (a ladder:
 * each manager's book has maturities in every one of those weeks as soon as it holds a dozen of them),
 * in two bands that keep the count within 30 days as drawn: days 1-28 cycle through four weeks, days
 * 31-86 through eight. A deposit keeps its product, principal and term; its start moves with its
 * maturity. No draw is added, so the rest of the branch stays as drawn.
 */
const LADDER = [
  { from: 1, weeks: 4 },
  { from: 31, weeks: 8 },
] as const;
interface Near {
  product: Product;
  principal: number;
  start: number;
  maturity: number;
  earliest: number;
  autoRenew: number;
  accountId: number;
  id: number;
}
const near: Near[] = [];
/** Next week of each band, per manager (key: staff id, -1 for customers without one). */
const ladders = new Map<number, number[]>();

/** Writes a term or CD deposit with its own term account; `active` ones mature after the as-of date. */
function writeDeposit(g: Gen, c: Cust, principal: number, active: boolean): void {
  const { rng, cal, counts } = g;
  const product: Product = principal >= LARGE_CD_FEN && rng.chance(0.5) ? rng.pick(P.cd) : termList.sample(rng);
  const t = product.termMonths!;
  const earliest = Math.max(c.openedOn, launchDay(product, cal));
  let start: number;
  let maturity: number;
  if (active) {
    start = between(g, Math.max(earliest, addMonths(cal.asOf, -t) + 1), cal.asOf);
    maturity = Math.max(addMonths(start, t), cal.asOf + 1);
    if (LADDER.some((b) => band(cal.asOf, maturity) === b)) {
      // placed once the customer's manager is known (placeNearMaturities)
      const accountId = ++counts.accounts;
      const id = ++counts.termDeposits;
      near.push({ product, principal, start, maturity, earliest, autoRenew: rng.chance(0.35) ? 1 : 0, accountId, id });
      c.rows += 2;
      c.termFen += principal;
      if (maturity - cal.asOf <= 30) c.maturingSoon = true;
      return;
    }
  } else {
    const end = c.status === 'closed' ? c.closedOn : cal.asOf;
    const hi = addMonths(end, -t);
    const lo = Math.max(earliest, addMonths(end, -t - 36));
    if (lo > hi) return;
    start = between(g, lo, hi);
    maturity = addMonths(start, t);
  }
  const accountId = ++counts.accounts;
  const id = ++counts.termDeposits;
  depositRows(g, c, product, principal, start, maturity, active, accountId, id, rng.chance(0.35) ? 1 : 0);
  c.rows += 2;
  if (active) {
    c.termFen += principal;
    if (maturity - cal.asOf <= 30) c.maturingSoon = true;
  }
}

function band(asOf: number, maturity: number): (typeof LADDER)[number] | undefined {
  const d = maturity - asOf;
  return LADDER.find((b) => d >= b.from && d < b.from + 7 * b.weeks);
}

/** Writes the customer's deposits maturing within twelve weeks on their manager's ladder (LADDER). */
export function placeNearMaturities(g: Gen, c: Cust, managerStaff: number | null): void {
  const cal = g.cal;
  for (const n of near) {
    const b = band(cal.asOf, n.maturity)!;
    const k = LADDER.indexOf(b);
    const key = managerStaff ?? -1;
    const next = ladders.get(key) ?? LADDER.map(() => 0);
    ladders.set(key, next);
    const t = n.product.termMonths!;
    const want = cal.asOf + b.from + 7 * next[k]! + ((n.maturity - cal.asOf - b.from) % 7);
    const start = addMonths(want, -t);
    const maturity = Math.max(addMonths(start, t), cal.asOf + 1);
    // month-end clamping can move a maturity back a day or two: it must stay in its band
    if (start >= n.earliest && start <= cal.asOf && band(cal.asOf, maturity) === b) {
      n.start = start;
      n.maturity = maturity;
      next[k] = (next[k]! + 1) % b.weeks;
    }
    depositRows(g, c, n.product, n.principal, n.start, n.maturity, true, n.accountId, n.id, n.autoRenew);
  }
  near.length = 0;
}

/** Starts a new generation (the ladders are per run). */
export function resetLadders(): void {
  near.length = 0;
  ladders.clear();
}

function depositRows(
  g: Gen,
  c: Cust,
  product: Product,
  principal: number,
  start: number,
  maturity: number,
  active: boolean,
  accountId: number,
  id: number,
  autoRenew: number,
): void {
  const { cal, ins } = g;
  const t = product.termMonths!;
  // Deposits taken years ago still carry the higher rates of their day.
  const yearsAgo = (cal.asOf - start) / 365;
  const rate = product.ratePpm! + Math.min(20000, Math.round((yearsAgo * 2200) / 100) * 100);
  ins.account.row(
    accountId,
    `${BRANCH_CODE}02${pad(accountId, 12)}`,
    c.id,
    product.id,
    c.branchId,
    'term',
    cal.day(start),
    active ? null : cal.day(maturity),
    active ? 'active' : 'closed',
    0,
    active ? principal : 0,
    cal.day(cal.asOf),
    cal.stamp,
    cal.stamp,
  );
  ins.termDeposit.row(
    id,
    `DQ${BRANCH_CODE}${pad(id, 10)}`,
    accountId,
    c.id,
    product.id,
    principal,
    rate,
    t,
    cal.day(start),
    cal.day(maturity),
    autoRenew,
    active ? 'active' : 'matured',
  );
}

export function writeTermDeposits(g: Gen, c: Cust, budgetFen: number): void {
  const { rng, cal } = g;
  if (c.status !== 'closed' && budgetFen >= 5000) {
    const pieces = budgetFen > 30_000_000 ? 1 + rng.int(4) : 1 + rng.int(2);
    let left = budgetFen;
    for (let k = 0; k < pieces && left >= 5000; k++) {
      const amount = k === pieces - 1 ? left : left * (0.3 + 0.5 * rng.next());
      left -= amount;
      writeDeposit(g, c, roundTo(amount, 10000), true);
    }
  }
  if (rng.chance(0.25) && c.openedOn < cal.asOf - 200) {
    writeDeposit(g, c, roundTo(rng.logNormal(50_000 * 100, 1.0), 10000), false);
  }
}

function marketValue(g: Gen, product: Product, cost: number, purchased: number, until: number): number {
  const years = Math.max(0, until - purchased) / 365;
  if (product.ratePpm != null) {
    return Math.round(cost * (1 + (product.ratePpm / 1e6) * years * (0.85 + 0.3 * g.rng.next())));
  }
  // The mixed fund's value wanders with the market; it can stand below cost.
  const drift = 1 + 0.03 * years + 0.12 * Math.sqrt(years + 0.1) * g.rng.normal();
  return Math.round(cost * Math.max(0.6, drift));
}

function writeHolding(g: Gen, c: Cust, amount: number, active: boolean): void {
  const { rng, cal, ins, counts } = g;
  let product: Product;
  const r = rng.next();
  if (!active && r < 0.15) product = P.legacyWealth;
  else if (r < 0.35) product = P.wealthOpen[0]!;
  else if (r < 0.5 && !c.corporate) product = P.wealthOpen[1]!;
  else product = closedWealthList.sample(rng);
  if (amount < (product.minAmountFen ?? 0)) product = P.wealthOpen[0]!;
  const cost = product === P.wealthOpen[0] ? roundTo(amount, 100) : roundTo(amount, 100_000);
  const t = product.termMonths;
  const launched = launchDay(product, cal);
  const earliest = Math.max(c.openedOn, launched);
  const end = c.status === 'closed' ? c.closedOn : cal.asOf;
  let purchased: number;
  let maturity: number | null = null;
  let status: 'active' | 'matured' | 'redeemed' = 'active';
  if (product.status !== 'on_sale') {
    // A closed-ended issue that sold out years ago: bought in its subscription month, long matured.
    purchased = launched + rng.int(28);
    maturity = addMonths(purchased, t ?? 12);
    if (purchased < c.openedOn || maturity > end) return;
    status = 'matured';
  } else if (active) {
    purchased = between(
      g,
      t != null ? Math.max(earliest, addMonths(cal.asOf, -t) + 1) : Math.max(earliest, cal.asOf - 3 * 365),
      cal.asOf,
    );
    if (t != null) maturity = Math.max(addMonths(purchased, t), cal.asOf + 1);
  } else {
    const lo = Math.max(earliest, end - 4 * 365);
    const hi = t != null ? addMonths(end, -t) : end - 30;
    if (lo > hi) return;
    purchased = between(g, lo, hi);
    if (t != null) maturity = addMonths(purchased, t);
    status = t != null ? 'matured' : 'redeemed';
  }
  const valueAt = status === 'active' ? cal.asOf : (maturity ?? Math.min(end, purchased + 30 + rng.int(700)));
  const mv = marketValue(g, product, cost, purchased, valueAt);
  const id = ++counts.wealthHoldings;
  ins.wealth.row(
    id,
    `LC${BRANCH_CODE}${pad(id, 10)}`,
    c.id,
    product.id,
    cost,
    mv,
    cal.day(purchased),
    maturity == null ? null : cal.day(maturity),
    status,
  );
  c.rows++;
  if (status === 'active') {
    c.wealthFen += mv;
    c.maxRisk = Math.max(c.maxRisk, product.riskLevel ?? 1);
  }
}

export function writeWealth(g: Gen, c: Cust, budgetFen: number): void {
  const { rng } = g;
  if (c.status !== 'closed' && budgetFen >= 100) {
    const pieces = budgetFen > 100_000_000 ? 1 + rng.int(3) : 1 + rng.int(2);
    let left = budgetFen;
    for (let k = 0; k < pieces && left >= 100; k++) {
      const amount = k === pieces - 1 ? left : left * (0.3 + 0.5 * rng.next());
      left -= amount;
      writeHolding(g, c, amount, true);
    }
  }
  if (rng.chance(0.3)) writeHolding(g, c, rng.logNormal(80_000 * 100, 0.8), false);
}

type Method = 'equal_installment' | 'equal_principal' | 'interest_only' | 'bullet';

/** Whole months from `from` to `to`, counting a month only once its same-day date has been reached. */
function monthsBetween(from: number, to: number): number {
  const [y1, m1] = civilFromDay(from);
  const [y2, m2] = civilFromDay(to);
  let n = (y2 - y1) * 12 + (m2 - m1);
  if (addMonths(from, n) > to) n--;
  return Math.max(0, n);
}

interface LoanSpec {
  product: Product;
  principal: number;
  months: number;
  method: Method;
  guarantee: 'mortgage' | 'pledge' | 'guarantee' | 'credit';
  /** How far back the loan may have been disbursed, in months. */
  maxAgeMonths: number;
  prepayChance: number;
  /** A planted loan (db/demo/behaviour.ts): disbursed on this day. */
  disbursedOn?: number;
}

function writeLoan(g: Gen, c: Cust, s: LoanSpec): void {
  const { rng, cal, ins, counts, events } = g;
  const lo = Math.max(c.openedOn, launchDay(s.product, cal), addMonths(cal.asOf, -s.maxAgeMonths));
  if (s.disbursedOn === undefined && lo > cal.asOf - 20) return;
  const disb = s.disbursedOn ?? between(g, lo, cal.asOf - 20);
  const n = s.months;
  const maturity = addMonths(disb, n);
  const rate = s.product.ratePpm! + rng.range(-10, 25) * 100;
  const i = rate / 1e6 / 12;
  const P0 = s.principal;
  const annuity = (P0 * i) / (1 - (1 + i) ** -n);
  const due = Math.min(monthsBetween(disb, cal.asOf), n);
  const balanceAfter = (k: number): number =>
    s.method === 'equal_installment'
      ? P0 * (1 + i) ** k - (annuity * ((1 + i) ** k - 1)) / i
      : s.method === 'equal_principal'
        ? P0 * (1 - k / n)
        : k >= n
          ? 0
          : P0;
  const instalment = (k: number): number => {
    const before = balanceAfter(k - 1);
    if (s.method === 'equal_installment') return annuity;
    if (s.method === 'equal_principal') return P0 / n + before * i;
    return before * i + (k === n ? P0 : 0);
  };

  let status: 'active' | 'paid_off' = 'active';
  let paidOff: number | null = null;
  let paid = due;
  let overdueDays = 0;
  let nextDue: number | null = null;
  if (maturity <= cal.asOf) {
    status = 'paid_off';
    paidOff = maturity;
  } else if (due >= 24 && rng.chance(s.prepayChance)) {
    status = 'paid_off';
    paidOff = between(g, addMonths(disb, 12), cal.asOf - 1);
    paid = monthsBetween(disb, paidOff);
  } else {
    if (due >= 6 && rng.chance(0.025)) {
      let j = due - (rng.chance(0.75) ? rng.int(3) : 3 + rng.int(3));
      if (j >= 1 && addMonths(disb, j) >= cal.asOf) j--;
      if (j >= 1) {
        overdueDays = cal.asOf - addMonths(disb, j);
        paid = j - 1;
        nextDue = addMonths(disb, j);
      }
    }
    nextDue ??= addMonths(disb, paid + 1);
  }
  const balance = status === 'active' ? Math.max(0, Math.round(balanceAfter(paid))) : 0;
  const classification =
    overdueDays === 0
      ? 'normal'
      : overdueDays <= 90
        ? 'special_mention'
        : overdueDays <= 180
          ? 'substandard'
          : 'doubtful';
  const id = ++counts.loans;
  const [year] = civilFromDay(disb);
  ins.loan.row(
    id,
    `JJ${BRANCH_CODE}${pad(id, 10)}`,
    `HT${BRANCH_CODE}${year}${pad(id, 8)}`,
    c.id,
    s.product.id,
    c.branchId,
    P0,
    balance,
    rate,
    cal.day(disb),
    cal.day(maturity),
    s.method,
    nextDue == null ? null : cal.day(nextDue),
    nextDue == null ? null : Math.max(1, Math.round(instalment(paid + 1))),
    overdueDays,
    classification,
    s.guarantee,
    status,
    paidOff == null ? null : cal.day(paidOff),
  );
  c.rows++;
  c.hadLoan = true;
  if (status === 'active') c.loanFen += balance;
  if (overdueDays > 0) c.overdue = true;
  if (s.product === P.business) c.businessLoan = true;

  // Monthly automatic debits from the demand account, early in the morning of each due date.
  const lastPaid = status === 'paid_off' ? Math.min(n, paid) : paid;
  for (let k = Math.max(1, monthsBetween(disb, cal.windowStart)); k <= lastPaid; k++) {
    const d = addMonths(disb, k);
    if (d < cal.windowStart) continue;
    if (d > cal.asOf) break;
    const second = (d - cal.windowStart) * SECONDS_PER_DAY + 6 * 3600 + rng.int(7200);
    events.push(second, T.loanRepayment, CH.online, Math.max(1, Math.round(instalment(k))), ACCT_DEMAND);
  }
}

/** Loans for active customers only: a dormant or closed customer has no repayments in the window. */
export function writeLoans(g: Gen, c: Cust, selfEmployed: boolean): void {
  const { rng } = g;
  if (c.status !== 'active') return;
  if (c.corporate) {
    if (rng.chance(0.4)) {
      writeLoan(g, c, {
        product: P.workingCapital,
        principal: roundTo(rng.logNormal(3_000_000 * 100, 0.9), 10_000_00),
        months: 12,
        method: 'bullet',
        guarantee: rng.pick(['guarantee', 'pledge', 'mortgage'] as const),
        maxAgeMonths: 18,
        prepayChance: 0,
      });
    }
    return;
  }
  if (rng.chance(0.055)) {
    writeLoan(g, c, {
      product: P.mortgage,
      principal: roundTo(rng.logNormal(1_200_000 * 100, 0.5), 10_000_00),
      months: rng.pick([240, 300, 360]),
      method: rng.chance(0.7) ? 'equal_installment' : 'equal_principal',
      guarantee: 'mortgage',
      maxAgeMonths: 180,
      prepayChance: 0.12,
    });
  }
  if (rng.chance(0.03)) {
    writeLoan(g, c, {
      product: P.consumer,
      principal: roundTo(rng.logNormal(120_000 * 100, 0.6), 1_000_00),
      months: rng.pick([12, 24, 36]),
      method: 'equal_installment',
      guarantee: 'credit',
      maxAgeMonths: 48,
      prepayChance: 0.1,
    });
  }
  if (rng.chance(selfEmployed ? 0.15 : 0.004)) {
    writeLoan(g, c, {
      product: P.business,
      principal: roundTo(rng.logNormal(800_000 * 100, 0.7), 10_000_00),
      months: rng.pick([12, 24, 36]),
      method: rng.chance(0.6) ? 'interest_only' : 'equal_principal',
      guarantee: rng.chance(0.6) ? 'mortgage' : 'guarantee',
      maxAgeMonths: 40,
      prepayChance: 0.05,
    });
  }
}

/** A planted loan (db/demo/behaviour.ts): the kind a customer like this one borrows, disbursed on `day`. */
export function writePlantedLoan(g: Gen, c: Cust, day: number, selfEmployed: boolean): void {
  const { rng } = g;
  const spec: LoanSpec = c.corporate
    ? {
        product: P.workingCapital,
        principal: roundTo(rng.logNormal(2_000_000 * 100, 0.8), 10_000_00),
        months: 12,
        method: 'bullet',
        guarantee: 'guarantee',
        maxAgeMonths: 12,
        prepayChance: 0,
      }
    : selfEmployed
      ? {
          product: P.business,
          principal: roundTo(rng.logNormal(500_000 * 100, 0.7), 10_000_00),
          months: 24,
          method: 'equal_principal',
          guarantee: 'guarantee',
          maxAgeMonths: 12,
          prepayChance: 0,
        }
      : {
          product: P.consumer,
          principal: roundTo(rng.logNormal(100_000 * 100, 0.6), 1_000_00),
          months: 24,
          method: 'equal_installment',
          guarantee: 'credit',
          maxAgeMonths: 12,
          prepayChance: 0,
        };
  writeLoan(g, c, { ...spec, disbursedOn: Math.max(day, launchDay(spec.product, g.cal)) });
}

/** A planted wealth purchase (db/demo/behaviour.ts): the open-ended product, bought on `day`, still held. */
export function writePlantedWealth(g: Gen, c: Cust, day: number, amountFen: number): void {
  const { cal, ins, counts } = g;
  const product = P.wealthOpen[0]!;
  const cost = roundTo(Math.max(amountFen, product.minAmountFen ?? 100), 100);
  const mv = marketValue(g, product, cost, day, cal.asOf);
  const id = ++counts.wealthHoldings;
  ins.wealth.row(id, `LC${BRANCH_CODE}${pad(id, 10)}`, c.id, product.id, cost, mv, cal.day(day), null, 'active');
  c.rows++;
  c.wealthFen += mv;
  c.maxRisk = Math.max(c.maxRisk, product.riskLevel ?? 1);
}
