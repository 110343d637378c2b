/**
 * Learnable behaviour in the demo branch (issue 20.6): a stated hidden model, with noise, decides which
 * customers leave, which start borrowing and which take up wealth products in the last months of the
 * window, and each leaves the signs a bank would see BEFORE the event:
 *
 *  - leavers (流失): in the 60-120 days before leaving, activity thins (each discretionary transaction
 *    kept with probability 0.25) and two transfers out take 25% and 30% of the balance; on the day
 *    they leave three transfers out drain what is left (half, most of the rest, the rest), and nothing
 *    happens after (salary stops). The outflow is the leaver's own balance, which before the signs is
 *    the one drawn for the customer (the outflows play no part in the opening balance). About 1.6% of
 *    the customers leave in the window's last four months (roughly 5% a year: 39 of 2,452 with
 *    balances on the 2,500-customer demo, 10 of 391 on the 400-customer e2e store), holding about
 *    1.3% of the demand balances;
 *  - future borrowers (贷款): in the 90 days before the loan, 3-5 counter visits with cash deposits and
 *    2-3 incoming transfers (business receipts, a down payment gathered);
 *  - wealth take-up (理财): follows holdings and life stage (term deposits held, balances, age 40-60);
 *    two incoming transfers of about 15% of the balance arrive in the 60 days before the purchase.
 *
 * Hidden model (log-odds; N = standard normal noise per customer, u uniform):
 *   leave   = -5.2 + 0.9·[no payroll] + 0.8·[no term deposit and no wealth] + 0.6·[customer < 3 years]
 *             - 0.6·[age >= 55] + 0.5·N
 *   borrow  = -3.3 + 1.3·[self-employed or corporate] + 0.8·[age 25-40] + 0.5·[employed] + 0.5·N
 *             (active customers who never had a loan, and who do not leave)
 *   wealth  = -3.6 + 1.2·[holds a term deposit] + 0.8·[balance >= 200,000 yuan] + 0.6·[age 40-60] + 0.5·N
 *             (individuals without wealth holdings, who do not leave)
 * and the event happens when u < sigmoid(log-odds), on a day drawn uniformly from the last 135 days
 * (leaving: 20-135 days before the as-of date; loans and wealth: 10-150 days before).
 * The features a lab model sees at a cut-off before the event are what the signs above change (balance
 * trend, transaction counts by channel and type, flows in and out) and the drivers (payroll, holdings,
 * tenure, age, kind); the outcome itself (the drain, the loan, the purchase) lies after the cut-off.
 * test/integration/lab/demo-signal.test.ts checks a model trained on the demo finds it.
 */
import type { Calendar } from './calendar';
import type { Rng } from './rng';

export const HIDDEN_MODEL = {
  leave: { intercept: -5.2, noPayroll: 0.9, noTermNoWealth: 0.8, newCustomer: 0.6, age55: -0.6, noise: 0.5 },
  borrow: { intercept: -3.3, selfEmployedOrCorporate: 1.3, age25to40: 0.8, employed: 0.5, noise: 0.5 },
  wealth: { intercept: -3.6, holdsTerm: 1.2, balance200k: 0.8, age40to60: 0.6, noise: 0.5 },
} as const;

/** Days (calendar day numbers) of the planted events; 0 = none. */
export interface Plant {
  leaveDay: number;
  fadeStart: number;
  borrowDay: number;
  wealthDay: number;
}

export interface PlantFacts {
  corporate: boolean;
  age: number;
  employed: boolean;
  payroll: boolean;
  selfEmployed: boolean;
  holdsTerm: boolean;
  holdsWealth: boolean;
  hadLoan: boolean;
  openedOn: number;
  /** Demand + term + wealth the customer was drawn to hold, fen. */
  targetFen: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export class Behaviour {
  readonly plant: Plant = { leaveDay: 0, fadeStart: 0, borrowDay: 0, wealthDay: 0 };

  constructor(
    private readonly rng: Rng,
    private readonly cal: Calendar,
  ) {}

  /** Draws the customer's planted events (the same number of draws whatever the outcome). */
  draw(f: PlantFacts): Plant {
    const { rng, cal } = this;
    const p = this.plant;
    const L = HIDDEN_MODEL.leave;
    const B = HIDDEN_MODEL.borrow;
    const W = HIDDEN_MODEL.wealth;
    const n1 = rng.normal();
    const n2 = rng.normal();
    const n3 = rng.normal();
    const u1 = rng.next();
    const u2 = rng.next();
    const u3 = rng.next();
    const d1 = rng.next();
    const d2 = rng.next();
    const d3 = rng.next();
    const d4 = rng.next();
    const leave =
      L.intercept +
      (f.payroll ? 0 : L.noPayroll) +
      (!f.holdsTerm && !f.holdsWealth ? L.noTermNoWealth : 0) +
      (cal.asOf - f.openedOn < 3 * 365 ? L.newCustomer : 0) +
      (!f.corporate && f.age >= 55 ? L.age55 : 0) +
      L.noise * n1;
    p.leaveDay = 0;
    p.fadeStart = 0;
    p.borrowDay = 0;
    p.wealthDay = 0;
    // The relationship must have started well before the signs begin.
    const earliest = Math.max(cal.windowStart, f.openedOn) + 150;
    if (u1 < sigmoid(leave)) {
      const day = cal.asOf - 20 - Math.floor(d1 * 116);
      if (day >= earliest) {
        p.leaveDay = day;
        p.fadeStart = day - 60 - Math.floor(d2 * 61);
        return p;
      }
    }
    const young = !f.corporate && f.age >= 25 && f.age <= 40;
    const borrow =
      B.intercept +
      (f.selfEmployed || f.corporate ? B.selfEmployedOrCorporate : 0) +
      (young ? B.age25to40 : 0) +
      (f.employed ? B.employed : 0) +
      B.noise * n2;
    if (!f.hadLoan && u2 < sigmoid(borrow)) {
      const day = cal.asOf - 10 - Math.floor(d3 * 141);
      if (day >= earliest) p.borrowDay = day;
    }
    const wealth =
      W.intercept +
      (f.holdsTerm ? W.holdsTerm : 0) +
      (f.targetFen >= 200_000 * 100 ? W.balance200k : 0) +
      (!f.corporate && f.age >= 40 && f.age <= 60 ? W.age40to60 : 0) +
      W.noise * n3;
    if (!f.corporate && !f.holdsWealth && u3 < sigmoid(wealth)) {
      const day = cal.asOf - 10 - Math.floor(d4 * 141);
      if (day >= earliest) p.wealthDay = day;
    }
    return p;
  }
}
