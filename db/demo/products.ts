import type { Database } from 'better-sqlite3';
import { addMonths, type Calendar } from './calendar';

/**
 * The demo product catalog: what a Chinese branch sells, with 2025-2026 level rates (integer ppm).
 * Launch dates are relative to the as-of date so that every holding starts after its product existed,
 * whichever as-of date a demo is generated for.
 */
export type ProductCategory = 'demand' | 'term' | 'cd' | 'wealth' | 'loan' | 'card' | 'insurance' | 'fund';

export interface Product {
  id: number;
  code: string;
  name: string;
  category: ProductCategory;
  riskLevel: number | null;
  ratePpm: number | null;
  termMonths: number | null;
  minAmountFen: number | null;
  /** Months before the as-of date the product was launched. */
  launchedMonthsAgo: number;
  status: 'on_sale' | 'closed' | 'withdrawn';
}

const YUAN = 100;

export const PRODUCTS: readonly Product[] = [
  {
    id: 1,
    code: 'DP0001',
    name: '个人活期储蓄存款',
    category: 'demand',
    riskLevel: 1,
    ratePpm: 500,
    termMonths: null,
    minAmountFen: null,
    launchedMonthsAgo: 360,
    status: 'on_sale',
  },
  {
    id: 2,
    code: 'DP0002',
    name: '单位活期存款',
    category: 'demand',
    riskLevel: 1,
    ratePpm: 1000,
    termMonths: null,
    minAmountFen: null,
    launchedMonthsAgo: 360,
    status: 'on_sale',
  },
  {
    id: 3,
    code: 'TD0003',
    name: '整存整取定期存款（三个月）',
    category: 'term',
    riskLevel: 1,
    ratePpm: 6500,
    termMonths: 3,
    minAmountFen: 50 * YUAN,
    launchedMonthsAgo: 360,
    status: 'on_sale',
  },
  {
    id: 4,
    code: 'TD0006',
    name: '整存整取定期存款（六个月）',
    category: 'term',
    riskLevel: 1,
    ratePpm: 8500,
    termMonths: 6,
    minAmountFen: 50 * YUAN,
    launchedMonthsAgo: 360,
    status: 'on_sale',
  },
  {
    id: 5,
    code: 'TD0012',
    name: '整存整取定期存款（一年）',
    category: 'term',
    riskLevel: 1,
    ratePpm: 9500,
    termMonths: 12,
    minAmountFen: 50 * YUAN,
    launchedMonthsAgo: 360,
    status: 'on_sale',
  },
  {
    id: 6,
    code: 'TD0024',
    name: '整存整取定期存款（二年）',
    category: 'term',
    riskLevel: 1,
    ratePpm: 10500,
    termMonths: 24,
    minAmountFen: 50 * YUAN,
    launchedMonthsAgo: 360,
    status: 'on_sale',
  },
  {
    id: 7,
    code: 'TD0036',
    name: '整存整取定期存款（三年）',
    category: 'term',
    riskLevel: 1,
    ratePpm: 12500,
    termMonths: 36,
    minAmountFen: 50 * YUAN,
    launchedMonthsAgo: 360,
    status: 'on_sale',
  },
  {
    id: 8,
    code: 'TD0060',
    name: '整存整取定期存款（五年）',
    category: 'term',
    riskLevel: 1,
    ratePpm: 13000,
    termMonths: 60,
    minAmountFen: 50 * YUAN,
    launchedMonthsAgo: 360,
    status: 'on_sale',
  },
  {
    id: 9,
    code: 'CD2012',
    name: '个人大额存单（一年期）',
    category: 'cd',
    riskLevel: 1,
    ratePpm: 12000,
    termMonths: 12,
    minAmountFen: 200_000 * YUAN,
    launchedMonthsAgo: 120,
    status: 'on_sale',
  },
  {
    id: 10,
    code: 'CD2036',
    name: '个人大额存单（三年期）',
    category: 'cd',
    riskLevel: 1,
    ratePpm: 15500,
    termMonths: 36,
    minAmountFen: 200_000 * YUAN,
    launchedMonthsAgo: 120,
    status: 'on_sale',
  },
  {
    id: 11,
    code: 'WM0001',
    name: '朝朝盈现金管理类理财',
    category: 'wealth',
    riskLevel: 1,
    ratePpm: 16000,
    termMonths: null,
    minAmountFen: 1 * YUAN,
    launchedMonthsAgo: 72,
    status: 'on_sale',
  },
  {
    id: 12,
    code: 'WM0002',
    name: '稳享固收九十天持有期理财',
    category: 'wealth',
    riskLevel: 2,
    ratePpm: 22000,
    termMonths: 3,
    minAmountFen: 10_000 * YUAN,
    launchedMonthsAgo: 60,
    status: 'on_sale',
  },
  {
    id: 13,
    code: 'WM0003',
    name: '安盈封闭式理财182天',
    category: 'wealth',
    riskLevel: 2,
    ratePpm: 26000,
    termMonths: 6,
    minAmountFen: 10_000 * YUAN,
    launchedMonthsAgo: 60,
    status: 'on_sale',
  },
  {
    id: 14,
    code: 'WM0004',
    name: '睿远一年定期开放理财',
    category: 'wealth',
    riskLevel: 2,
    ratePpm: 29000,
    termMonths: 12,
    minAmountFen: 10_000 * YUAN,
    launchedMonthsAgo: 60,
    status: 'on_sale',
  },
  {
    id: 15,
    code: 'WM0005',
    name: '稳健增利三年封闭式理财',
    category: 'wealth',
    riskLevel: 3,
    ratePpm: 33000,
    termMonths: 36,
    minAmountFen: 50_000 * YUAN,
    launchedMonthsAgo: 72,
    status: 'on_sale',
  },
  {
    id: 16,
    code: 'WM0006',
    name: '精选混合开放式理财',
    category: 'wealth',
    riskLevel: 4,
    ratePpm: null,
    termMonths: null,
    minAmountFen: 10_000 * YUAN,
    launchedMonthsAgo: 48,
    status: 'on_sale',
  },
  {
    id: 17,
    code: 'LN0001',
    name: '个人住房贷款',
    category: 'loan',
    riskLevel: null,
    ratePpm: 30500,
    termMonths: 360,
    minAmountFen: null,
    launchedMonthsAgo: 360,
    status: 'on_sale',
  },
  {
    id: 18,
    code: 'LN0002',
    name: '个人消费贷款',
    category: 'loan',
    riskLevel: null,
    ratePpm: 34000,
    termMonths: 36,
    minAmountFen: null,
    launchedMonthsAgo: 240,
    status: 'on_sale',
  },
  {
    id: 19,
    code: 'LN0003',
    name: '个人经营贷款',
    category: 'loan',
    riskLevel: null,
    ratePpm: 36000,
    termMonths: 36,
    minAmountFen: null,
    launchedMonthsAgo: 240,
    status: 'on_sale',
  },
  {
    id: 20,
    code: 'LN0004',
    name: '流动资金贷款',
    category: 'loan',
    riskLevel: null,
    ratePpm: 35000,
    termMonths: 12,
    minAmountFen: null,
    launchedMonthsAgo: 360,
    status: 'on_sale',
  },
  {
    id: 21,
    code: 'CA0001',
    name: '借记卡（金融IC卡）',
    category: 'card',
    riskLevel: null,
    ratePpm: null,
    termMonths: null,
    minAmountFen: null,
    launchedMonthsAgo: 300,
    status: 'on_sale',
  },
  {
    id: 22,
    code: 'CA0002',
    name: '信用卡（标准白金卡）',
    category: 'card',
    riskLevel: null,
    ratePpm: null,
    termMonths: null,
    minAmountFen: null,
    launchedMonthsAgo: 240,
    status: 'on_sale',
  },
  {
    id: 23,
    code: 'FD0001',
    name: '沪深300指数基金（代销）',
    category: 'fund',
    riskLevel: 4,
    ratePpm: null,
    termMonths: null,
    minAmountFen: 10 * YUAN,
    launchedMonthsAgo: 96,
    status: 'on_sale',
  },
  {
    id: 24,
    code: 'IN0001',
    name: '金福年金保险（代理）',
    category: 'insurance',
    riskLevel: 2,
    ratePpm: 25000,
    termMonths: 120,
    minAmountFen: 10_000 * YUAN,
    launchedMonthsAgo: 36,
    status: 'on_sale',
  },
  {
    id: 25,
    code: 'WM9001',
    name: '季季红理财2019年第8期',
    category: 'wealth',
    riskLevel: 2,
    ratePpm: 41000,
    termMonths: 12,
    minAmountFen: 50_000 * YUAN,
    launchedMonthsAgo: 84,
    status: 'closed',
  },
];

function byCode(code: string): Product {
  const p = PRODUCTS.find((x) => x.code === code);
  if (!p) throw new Error(`demo product ${code} missing from the catalog`);
  return p;
}

/** The products the generator hands out, by role. */
export const P = {
  demandPersonal: byCode('DP0001'),
  demandCorporate: byCode('DP0002'),
  /** Term deposits in the order 3m, 6m, 1y, 2y, 3y, 5y. */
  term: ['TD0003', 'TD0006', 'TD0012', 'TD0024', 'TD0036', 'TD0060'].map(byCode),
  cd: ['CD2012', 'CD2036'].map(byCode),
  wealthOpen: ['WM0001', 'WM0006'].map(byCode),
  wealthClosed: ['WM0002', 'WM0003', 'WM0004', 'WM0005'].map(byCode),
  /** A sold-out closed-ended issue, only ever seen in matured holdings. */
  legacyWealth: byCode('WM9001'),
  mortgage: byCode('LN0001'),
  consumer: byCode('LN0002'),
  business: byCode('LN0003'),
  workingCapital: byCode('LN0004'),
  creditCard: byCode('CA0002'),
} as const;

export function launchDay(p: Product, cal: Calendar): number {
  return addMonths(cal.asOf, -p.launchedMonthsAgo);
}

export function insertProducts(db: Database, cal: Calendar): number {
  const stmt = db.prepare(
    `INSERT INTO products (id, code, name, category, risk_level, rate_ppm, term_months, min_amount_fen,
       launched_on, withdrawn_on, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  for (const p of PRODUCTS) {
    // A closed-ended product stops selling when its one-month subscription period ends.
    const closedOn = p.status === 'on_sale' ? null : cal.day(addMonths(launchDay(p, cal), 1));
    stmt.run(
      p.id,
      p.code,
      p.name,
      p.category,
      p.riskLevel,
      p.ratePpm,
      p.termMonths,
      p.minAmountFen,
      cal.day(launchDay(p, cal)),
      closedOn,
      p.status,
      cal.stamp,
      cal.stamp,
    );
  }
  return PRODUCTS.length;
}
