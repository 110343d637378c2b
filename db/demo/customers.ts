import { Activity } from './activity';
import { addMonths, type Calendar } from './calendar';
import { type Gen, Cust, pad, roundTo, TIER_FEN, withLuhn } from './context';
import { Behaviour } from './behaviour';
import {
  placeNearMaturities,
  writeLoans,
  writePlantedLoan,
  writePlantedWealth,
  writeTermDeposits,
  writeWealth,
} from './holdings';
import { initialsOf, pinyinOf } from '../names';
import { personName } from './names';
import { BRANCH_CODE, TAG } from './org';
import {
  companyName,
  type District,
  DISTRICTS,
  emailFor,
  employerPool,
  hkMoPermitNo,
  INDUSTRIES,
  landline,
  mobileNo,
  OCCUPATIONS,
  passportNo,
  pickDistrict,
  residentId,
  SALARIED,
  streetAddress,
  usccCode,
} from './people';
import { launchDay, P } from './products';
import { WeightedList, WeightedTable } from './rng';

/**
 * Writes one customer at a time: profile, holdings, a year of activity, then the customer row with
 * maintained figures taken from exactly what was written, so they equal the sums over the raw tables.
 */

const OPEN_SPREAD_YEARS = 20;
/** Opening dates thin out into the past (exponent < 1): a branch gains more customers each year. */
const OPEN_CURVE = 0.8;
const P_CLOSED = 0.02;
const P_DORMANT = 0.07;
/** Spread of the per-customer activity level (log scale): a long tail of very busy accounts. */
const ACTIVITY_SIGMA = 1.1;
/** Cap on that level (times the mean), so one extreme account cannot swing a small demo's average. */
const MAX_ACTIVITY = 25;
const CORPORATE_SHARE = 0.04;
const CORPORATE_ACTIVITY = 4;
const MAX_TXNS = 60_000;

const CORP_RATINGS = WeightedList.of<string>([
  ['AAA', 5],
  ['AA', 20],
  ['A', 35],
  ['BBB', 25],
  ['BB', 10],
  ['B', 5],
]);
const PERSONAL_RATINGS = WeightedList.of<string>([
  ['AA', 20],
  ['A', 50],
  ['BBB', 30],
]);
const SALARY_DAYS = [5, 8, 10, 15, 20, 25];

interface Profile {
  name: string;
  initials: string;
  idType: string;
  idNo: string;
  gender: string | null;
  birth: number;
  mobile: string | null;
  phone: string | null;
  email: string | null;
  occupation: string;
  employer: string | null;
  legalRep: string | null;
  capital: number | null;
  selfEmployed: boolean;
  age: number;
  district: District;
  address: string;
}

export type Tier = 'gold' | 'quality' | 'key' | 'ordinary' | 'restricted' | 'exit';
/** Chance that a customer of each tier has a manager of record. */
const MANAGED: Record<Tier, number> = { gold: 1, quality: 1, key: 0.85, ordinary: 0.2, restricted: 0.7, exit: 0.03 };

/** Per-customer plan that needs no randomness, so expected totals can be computed before generating. */
export class Plan {
  private readonly start: number;
  private readonly span: number;
  /** Mean transaction count of a customer active for the whole window. */
  readonly meanActive: number;

  constructor(
    private readonly cal: Calendar,
    readonly customers: number,
    txnsPerCustomer: number,
  ) {
    this.start = cal.yearsBefore(cal.asOf, OPEN_SPREAD_YEARS);
    this.span = cal.asOf - 1 - this.start;
    let expected = 0;
    for (let i = 0; i < customers; i++) {
      const o = this.openedOn(i);
      expected += this.activeChance(o) * this.windowShare(o);
    }
    this.meanActive = expected > 0 ? (txnsPerCustomer * customers) / expected : 0;
  }

  openedOn(i: number): number {
    return this.start + Math.floor(this.span * ((i + 0.5) / this.customers) ** OPEN_CURVE);
  }

  canClose(opened: number): boolean {
    return opened < this.cal.asOf - 430;
  }

  canSleep(opened: number): boolean {
    return opened < this.cal.windowStart - 30;
  }

  activeChance(opened: number): number {
    const closed = this.canClose(opened) ? P_CLOSED : 0;
    return (1 - closed) * (1 - (this.canSleep(opened) ? P_DORMANT : 0));
  }

  /** Part of the activity window the customer has been with the bank. */
  windowShare(opened: number): number {
    return (this.cal.asOf - Math.max(opened, this.cal.windowStart) + 1) / this.cal.windowDays;
  }
}

export class CustomerWriter {
  private readonly c = new Cust();
  private readonly activity: Activity;
  private readonly behaviour: Behaviour;
  private readonly employers: string[];
  private readonly outletManagers: (WeightedTable | null)[];
  private readonly outletManagerIdx: number[][];
  private readonly allManagers: WeightedTable;
  private readonly customerNoStride: number;
  private readonly assignedBy: number | null;
  /** A few customers per manager, kept so other managers can be granted access to them. */
  readonly grantPool: { customerId: number; manager: number }[] = [];
  /** Planted leavers (db/demo/behaviour.ts) with what they held: some become guarantors (db/demo/guarantors.ts). */
  readonly leavers: { customerId: number; targetFen: number }[] = [];
  private readonly pooled: Int32Array;
  /** The older outlets have the bigger books. */
  private readonly outlets: WeightedList<number>;

  constructor(
    private readonly g: Gen,
    private readonly plan: Plan,
  ) {
    this.activity = new Activity(g, g.rng.fork(1));
    this.behaviour = new Behaviour(g.rng.fork(4), g.cal);
    this.employers = employerPool(g.rng.fork(2), 300);
    const managers = g.org.managers;
    this.outletManagerIdx = g.org.outletIds.map((_, o) => managers.flatMap((m, j) => (m.outlet === o ? [j] : [])));
    this.outletManagers = this.outletManagerIdx.map((idx) =>
      idx.length ? new WeightedTable(idx.map((j) => managers[j]!.weight)) : null,
    );
    this.allManagers = new WeightedTable(managers.map((m) => m.weight));
    this.customerNoStride = Math.max(1, Math.min(97, Math.floor(899_999_999 / Math.max(1, plan.customers))));
    this.assignedBy = g.org.userIds.get('president') ?? null;
    this.pooled = new Int32Array(managers.length);
    this.outlets = new WeightedList(
      g.org.outletIds,
      g.org.outletIds.map((_, o) => 1.6 - 0.25 * o),
    );
  }

  /** Writes customer number i (0-based); returns the number of rows written. */
  write(i: number): number {
    const { rng, cal, ins, counts, org } = this.g;
    const c = this.c;
    const plan = this.plan;
    c.reset(i + 1);
    c.openedOn = plan.openedOn(i);
    c.corporate = rng.chance(CORPORATE_SHARE);
    c.outlet = this.outlets.sampleIndex(rng);
    c.branchId = org.outletIds[c.outlet]!;
    c.status =
      plan.canClose(c.openedOn) && rng.chance(P_CLOSED)
        ? 'closed'
        : plan.canSleep(c.openedOn) && rng.chance(P_DORMANT)
          ? 'dormant'
          : 'active';
    if (c.status === 'closed') c.closedOn = c.openedOn + 30 + rng.int(cal.asOf - 400 - c.openedOn - 30);
    const customerNo = `8${String(100_000_000 + i * this.customerNoStride + rng.int(this.customerNoStride))}`;

    const {
      name,
      initials,
      idType,
      idNo,
      gender,
      birth,
      mobile,
      phone,
      email,
      occupation,
      employer,
      legalRep,
      capital,
      selfEmployed,
      age,
      district,
      address,
    } = this.profile(c);

    // Money: one heavy-tailed figure, split between wealth products, term deposits and the demand account.
    let target = c.corporate ? rng.logNormal(80_000 * 100, 1.7) : rng.logNormal(25_000 * 100, 1.75);
    if (c.status === 'dormant') target *= 0.08;
    const pWealth = c.corporate
      ? target > 1e8
        ? 0.2
        : 0.02
      : target < 5e6
        ? 0.07
        : target < 2e7
          ? 0.24
          : target < 6e7
            ? 0.42
            : target < 2e8
              ? 0.6
              : 0.75;
    const wealthBudget =
      c.status !== 'closed' && rng.chance(c.status === 'dormant' ? pWealth / 2 : pWealth)
        ? target * (0.3 + 0.35 * rng.next())
        : 0;
    const rest = target - wealthBudget;
    const pTerm = rest < 2e6 ? 0.1 : rest < 1e7 ? 0.35 : rest < 5e7 ? 0.55 : 0.75;
    const termBudget = rng.chance(pTerm) ? rest * (0.3 + 0.4 * rng.next()) : 0;
    const demandTarget = Math.max(1000, rest - termBudget);

    const demandId = ++counts.accounts;
    writeTermDeposits(this.g, c, c.status === 'closed' ? 0 : termBudget);
    if (wealthBudget > 0 || (c.status === 'closed' && rng.chance(0.1))) writeWealth(this.g, c, wealthBudget);
    writeLoans(this.g, c, selfEmployed);
    let cardId = 0;
    let cardOpened = 0;
    if (!c.corporate && c.status === 'active' && age >= 22 && age <= 65 && rng.chance(target > 2e7 ? 0.3 : 0.12)) {
      cardId = ++counts.accounts;
      cardOpened = Math.min(Math.max(c.openedOn, launchDay(P.creditCard, cal)) + rng.int(200), cal.asOf - 1);
      ins.account.row(
        cardId,
        withLuhn(`625966${pad(cardId, 9)}`),
        c.id,
        P.creditCard.id,
        c.branchId,
        'card',
        cal.day(cardOpened),
        null,
        'active',
        0,
        0,
        cal.day(cal.asOf),
        cal.stamp,
        cal.stamp,
      );
      c.rows++;
    }

    // A year of activity on the demand account.
    const act = this.activity;
    const payroll = employer !== null && c.status === 'active' && rng.chance(0.6);
    const demandProduct = c.corporate ? P.demandCorporate : P.demandPersonal;
    // Planted behaviour (db/demo/behaviour.ts): who leaves, borrows or buys wealth late in the window.
    const plant =
      c.status === 'active' && plan.meanActive > 0
        ? this.behaviour.draw({
            corporate: c.corporate,
            age,
            employed: employer !== null,
            payroll,
            selfEmployed,
            holdsTerm: c.termFen > 0,
            holdsWealth: c.wealthFen > 0,
            hadLoan: c.hadLoan,
            openedOn: c.openedOn,
            targetFen: target,
          })
        : null;
    if (plant?.borrowDay) writePlantedLoan(this.g, c, plant.borrowDay, selfEmployed);
    if (plant?.leaveDay) this.leavers.push({ customerId: c.id, targetFen: target });
    if (plant?.wealthDay) writePlantedWealth(this.g, c, plant.wealthDay, target * 0.25);
    if (c.status === 'active' && plan.meanActive > 0) {
      const x = Math.min(MAX_ACTIVITY, Math.exp(ACTIVITY_SIGMA * rng.normal() - (ACTIVITY_SIGMA * ACTIVITY_SIGMA) / 2));
      const kindFactor =
        (c.corporate ? CORPORATE_ACTIVITY : 1) / (1 - CORPORATE_SHARE + CORPORATE_SHARE * CORPORATE_ACTIVITY);
      const expected = plan.meanActive * plan.windowShare(c.openedOn) * x * kindFactor;
      act.run(c, {
        demandAccountId: demandId,
        cardAccountId: cardId,
        cardOpenedOn: cardOpened,
        openedOn: c.openedOn,
        targetFen: demandTarget,
        count: Math.min(MAX_TXNS, Math.max(1, rng.roundStochastic(expected))),
        salaryFen: payroll ? roundTo(rng.logNormal(900_000 * (target / 3.5e6) ** 0.15, 0.45), 100) : 0,
        salaryDay: rng.pick(SALARY_DAYS),
        employer,
        ratePpm: demandProduct.ratePpm ?? 0,
        ...(plant && (plant.leaveDay || plant.borrowDay || plant.wealthDay) ? { plant } : {}),
      });
    } else {
      act.still(c.status === 'closed' ? 0 : Math.round(demandTarget));
    }
    this.g.events.reset();
    const balance = act.finalBalance;
    const closed = c.status === 'closed';
    const accountNo = c.corporate
      ? `${BRANCH_CODE}01${pad(demandId, 12)}`
      : withLuhn(`62170${BRANCH_CODE}${pad(demandId, 9)}`);
    // A handful of accounts carry a judicial freeze on part of the balance.
    const frozen = !closed && balance > 100_000 && rng.chance(0.003) ? roundTo(balance * rng.next(), 100) : 0;
    ins.account.row(
      demandId,
      accountNo,
      c.id,
      demandProduct.id,
      c.branchId,
      'demand',
      cal.day(c.openedOn),
      closed ? cal.day(c.closedOn) : null,
      closed ? 'closed' : 'active',
      Math.min(frozen, balance),
      balance,
      cal.day(cal.asOf),
      cal.stamp,
      cal.stamp,
    );
    c.rows++;
    if (!closed) {
      const dates = cal.balanceDates;
      for (let k = 0; k < dates.length; k++) {
        if (dates[k]! < c.openedOn) continue;
        ins.balance.row(demandId, cal.day(dates[k]!), act.monthEnd[k]!);
        counts.dailyBalances++;
        c.rows++;
      }
    }

    const deposit = balance + c.termFen;
    const aum = deposit + c.wealthFen;
    const tier: Tier = closed
      ? 'exit'
      : c.overdue
        ? 'restricted'
        : c.status === 'dormant' && aum < TIER_FEN.key
          ? 'exit'
          : aum >= TIER_FEN.gold
            ? 'gold'
            : aum >= TIER_FEN.quality
              ? 'quality'
              : aum >= TIER_FEN.key
                ? 'key'
                : 'ordinary';
    const managerStaff = closed ? null : this.assignManager(tier);
    placeNearMaturities(this.g, c, managerStaff);
    const creditRating = c.corporate
      ? c.overdue
        ? 'BB'
        : CORP_RATINGS.sample(rng)
      : c.hadLoan
        ? c.overdue
          ? 'B'
          : PERSONAL_RATINGS.sample(rng)
        : null;
    const riskTolerance =
      c.maxRisk > 0
        ? rng.range(c.maxRisk, Math.min(5, c.maxRisk + 2))
        : !c.corporate && rng.chance(0.3)
          ? rng.range(1, 3)
          : null;

    this.writeTags(tier, payroll, c.businessLoan || (selfEmployed && rng.chance(0.5)), age, aum, managerStaff);
    if (!c.corporate && !closed) this.writeChanges(mobile, address, district);
    ins.customer.row(
      c.id,
      customerNo,
      c.corporate ? 'corporate' : 'individual',
      name,
      initials,
      idType,
      idNo,
      gender,
      cal.day(birth),
      mobile,
      phone,
      email,
      address,
      district.postcode,
      occupation,
      employer,
      legalRep,
      capital,
      c.branchId,
      cal.day(c.openedOn),
      c.status,
      tier,
      creditRating,
      riskTolerance,
      managerStaff,
      deposit,
      c.wealthFen,
      c.loanFen,
      aum,
      act.lastDay < 0 ? null : cal.day(act.lastDay),
      cal.stamp,
      cal.stamp,
    );
    return c.rows + 1;
  }

  /** Who the customer is: a person (name, ID, age, job) or a company (name, USCC, legal representative). */
  private profile(c: Cust): Profile {
    const { rng, cal } = this.g;
    const district = rng.chance(0.6) ? DISTRICTS[0]! : pickDistrict(rng);
    let name: string;
    let initials: string;
    let idType: string;
    let idNo: string;
    let gender: string | null = null;
    let birth: number;
    let mobile: string | null;
    let phone: string | null;
    let email: string | null = null;
    let occupation: string;
    let employer: string | null = null;
    let legalRep: string | null = null;
    let capital: number | null = null;
    let selfEmployed = false;
    let age = 0;
    if (c.corporate) {
      const [industry, word] = INDUSTRIES.sample(rng);
      name = companyName(rng, word);
      initials = initialsOf(name);
      idType = 'uscc';
      idNo = usccCode(rng, district.code);
      birth = c.openedOn - rng.int(5 * 365);
      occupation = industry;
      legalRep = personName(rng, rng.chance(0.7), 1960 + rng.int(35)).name;
      capital = roundTo(rng.logNormal(1_000_000 * 100, 1.2), 10_000 * 100);
      mobile = rng.chance(0.7) ? mobileNo(rng) : null;
      phone = rng.chance(0.85) ? landline(rng) : null;
      if (rng.chance(0.4)) email = emailFor(rng, initials.slice(0, 8), 2000);
    } else {
      const male = rng.chance(0.49);
      gender = male ? 'M' : 'F';
      // Old enough to have opened the relationship at 16 and to be an adult today; mostly 30-60.
      const minAge = Math.max(18, Math.ceil((cal.asOf - c.openedOn) / 365.25) + 16);
      age = 46 + 15 * rng.normal();
      for (let t = 0; t < 8 && (age < minAge || age > 90); t++) age = 46 + 15 * rng.normal();
      if (age < minAge || age > 90) age = minAge + rng.next() * (90 - minAge);
      birth = Math.min(cal.asOf - Math.floor(age * 365.2425), addMonths(c.openedOn, -192), addMonths(cal.asOf, -216));
      const birthText = cal.day(birth);
      const birthYear = Number(birthText.slice(0, 4));
      const person = personName(rng, male, birthYear);
      name = person.name;
      initials = person.initials;
      const r = rng.next();
      idType = r < 0.008 ? 'passport' : r < 0.011 ? 'hk_mo_permit' : 'resident_id';
      idNo =
        idType === 'passport'
          ? passportNo(rng)
          : idType === 'hk_mo_permit'
            ? hkMoPermitNo(rng)
            : residentId(rng, birthText, male);
      occupation = OCCUPATIONS.sample(rng);
      for (
        let t = 0;
        t < 6 && ((occupation === '学生' && age > 26) || (occupation === '离退休人员' && age < 50));
        t++
      ) {
        occupation = OCCUPATIONS.sample(rng);
      }
      if (age >= 62 && rng.chance(0.75)) occupation = '离退休人员';
      if (SALARIED.has(occupation)) employer = rng.pick(this.employers);
      selfEmployed = occupation === '个体工商户' || occupation === '私营企业主';
      mobile = rng.chance(0.97) ? mobileNo(rng) : null;
      phone = rng.chance(0.12) ? landline(rng) : null;
      if (rng.chance(age < 45 ? 0.35 : 0.12)) email = emailFor(rng, pinyinOf(name, person.surname), birthYear);
    }
    const address = streetAddress(rng, district);
    return {
      name,
      initials,
      idType,
      idNo,
      gender,
      birth,
      mobile,
      phone,
      email,
      occupation,
      employer,
      legalRep,
      capital,
      selfEmployed,
      age,
      district,
      address,
    };
  }

  private assignManager(tier: Tier): number | null {
    const { rng, cal, ins, counts, org } = this.g;
    const c = this.c;
    if (!rng.chance(c.corporate && tier !== 'exit' ? Math.max(0.9, MANAGED[tier]) : MANAGED[tier])) return null;
    const local = this.outletManagers[c.outlet];
    const j =
      local && rng.chance(0.92) ? this.outletManagerIdx[c.outlet]![local.sample(rng)]! : this.allManagers.sample(rng);
    const m = org.managers[j]!;
    const base = Math.max(c.openedOn, m.hiredOn);
    const from = base + Math.floor((cal.asOf - base) * 0.5 * rng.next());
    let reason = '开户分配';
    if (org.managers.length > 1 && from - c.openedOn > 180 && rng.chance(0.15)) {
      // The customer came over from a colleague: keep the earlier, closed assignment too.
      const p = org.managers[(j + 1 + rng.int(org.managers.length - 1)) % org.managers.length]!;
      const pFrom = Math.max(c.openedOn, p.hiredOn);
      if (pFrom < from) {
        ins.assignment.row(
          ++counts.assignments,
          c.id,
          p.staffId,
          cal.day(pFrom),
          cal.day(from),
          this.assignedBy,
          '开户分配',
        );
        c.rows++;
        reason = rng.pick(['客户经理调整', '客户经理岗位调动', '客户要求更换']);
      }
    }
    ins.assignment.row(++counts.assignments, c.id, m.staffId, cal.day(from), null, this.assignedBy, reason);
    c.rows++;
    if (this.pooled[j]! < 3) {
      this.pooled[j] = this.pooled[j]! + 1;
      this.grantPool.push({ customerId: c.id, manager: j });
    }
    return m.staffId;
  }

  private writeTags(
    tier: Tier,
    payroll: boolean,
    smallBusiness: boolean,
    age: number,
    aum: number,
    manager: number | null,
  ): void {
    const { rng, cal, ins, counts, org } = this.g;
    const c = this.c;
    const tagger =
      manager !== null && manager === org.managers[0]!.staffId ? (org.userIds.get('manager1') ?? null) : null;
    const tag = (id: number, by: number | null): void => {
      ins.customerTag.row(c.id, id, by, cal.stamp);
      counts.customerTags++;
      c.rows++;
    };
    if (payroll) tag(TAG.payroll, null);
    if (tier !== 'exit' && aum >= TIER_FEN.quality) tag(TAG.highNetWorth, null);
    if (smallBusiness) tag(TAG.smallBusiness, null);
    if (age >= 65) tag(TAG.senior, null);
    if (cal.asOf - c.openedOn <= 90) tag(TAG.newCustomer, null);
    if (c.status === 'active' && c.wealthFen === 0 && aum >= 5e6 && rng.chance(0.04)) tag(TAG.wealthInterest, tagger);
    if (c.maturingSoon && manager !== null && rng.chance(0.3)) tag(TAG.maturityWatch, tagger);
  }

  private writeChanges(mobile: string | null, address: string, district: (typeof DISTRICTS)[number]): void {
    const { rng, cal, ins, counts } = this.g;
    const c = this.c;
    const when = (): string => `${cal.day(c.openedOn + rng.int(Math.max(1, cal.asOf - c.openedOn)))}T02:00:00.000Z`;
    if (rng.chance(0.03)) {
      ins.change.row(
        ++counts.changes,
        c.id,
        'address',
        streetAddress(rng, rng.chance(0.5) ? district : pickDistrict(rng)),
        address,
        when(),
        'CIF',
      );
      c.rows++;
    }
    if (mobile !== null && rng.chance(0.02)) {
      ins.change.row(++counts.changes, c.id, 'mobile', mobileNo(rng), mobile, when(), 'CIF');
      c.rows++;
    }
  }
}
