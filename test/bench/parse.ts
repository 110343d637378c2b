/**
 * Import parsing benchmark: writes a realistic GB18030 customer extract (22 columns, Chinese names
 * and addresses, quoted fields with commas and doubled quotes, CRLF, the odd 𠮷), then measures
 *   parse:          openSource + batches (read, decode, split; records with line/raw/cols)
 *   parse+convert:  the same plus every column through its compiled converter
 *   csv-parse:      (with --csv-parse) csv-parse 7 on the same decoded text, fastest options and
 *                   with info+raw (line numbers and raw text, as the import needs), for comparison
 * and prints rows/s, MB/s and peak RSS.
 *   node --import tsx test/bench/parse.ts --rows 1000000 [--csv-parse] [--dir /tmp] [--keep]
 * The young generation size matters (the parser allocates ~25 short strings per row): worker
 * threads can set resourceLimits.maxYoungGenerationSizeMb; compare with
 *   node --max-semi-space-size=64 --import tsx test/bench/parse.ts --rows 1000000
 */
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TextDecoder } from 'node:util';
import { type Options as CsvOptions, parse as csvParse } from 'csv-parse';
import iconv from 'iconv-lite';
import { IMPORT_FIELDS, type ImportProfile } from '../../shared/imports';
import { compileConverter } from '../../main/jobs/parse/convert';
import { openSource, resolveColumns } from '../../main/jobs/parse/source';

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文辉鑫宇浩然子涵欣怡梓轩';
const CITIES = [
  '北京市朝阳区建国路',
  '上海市浦东新区陆家嘴环路',
  '广州市天河区珠江新城华夏路',
  '深圳市福田区深南大道',
  '杭州市西湖区文三路',
  '成都市武侯区人民南路',
];
const JOBS = ['工程师', '教师', '医生', '个体经营', '公务员', '退休', '学生', '自由职业'];
const EMPLOYERS = [
  '某某科技有限公司',
  '"华夏建设集团,第三分公司"',
  '市第一人民医院',
  '',
  '"某某商贸有限公司,""旗舰店"""',
];

export const HEADER = [
  '客户号',
  '客户类型',
  '客户名称',
  '证件类型',
  '证件号码',
  '性别',
  '出生日期',
  '手机号码',
  '固定电话',
  '电子邮箱',
  '联系地址',
  '邮编',
  '职业',
  '工作单位',
  '法人代表',
  '注册资本',
  '开户网点',
  '开户日期',
  '客户状态',
  '信用等级',
  '风险等级',
  '客户经理',
];
const FIELDS = [
  'customer_no',
  'kind',
  'name',
  'id_type',
  'id_no',
  'gender',
  'birth_date',
  'mobile',
  'phone',
  'email',
  'address',
  'postcode',
  'occupation',
  'employer',
  'legal_rep',
  'registered_capital',
  'branch_code',
  'opened_on',
  'status',
  'credit_rating',
  'risk_tolerance',
  'manager_employee_no',
];
const VALUES: Record<string, Record<string, string>> = {
  kind: { 个人: 'individual', 对公: 'corporate' },
  id_type: { 身份证: 'resident_id', 统一社会信用代码: 'uscc', 护照: 'passport' },
  gender: { 男: 'M', 女: 'F' },
  status: { 正常: 'active', 睡眠: 'dormant', 销户: 'closed' },
};

export const customersProfile: ImportProfile = {
  name: 'CIF 客户信息',
  kind: 'customers',
  format: 'delimited',
  encoding: 'auto',
  delimiter: ',',
  header: true,
  columns: FIELDS.map((field, i) => ({
    field,
    source: HEADER[i]!,
    ...(VALUES[field] ? { values: VALUES[field] } : {}),
    ...(field === 'birth_date' ? { format: 'YYYYMMDD' } : {}),
    ...(field === 'registered_capital' ? { format: 'yuan' } : {}),
  })),
};

/** Deterministic row generator (xorshift), so runs compare. */
function* customerLines(rows: number): Generator<string> {
  let x = 2463534242;
  const rnd = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const pick = (a: readonly string[] | string): string => a[rnd(a.length)]!;
  for (let i = 1; i <= rows; i++) {
    const corp = rnd(10) === 0;
    const name = corp
      ? `"${pick(CITIES).slice(0, 3)}${pick(GIVEN)}${pick(GIVEN)}实业有限公司"`
      : `${pick(SURNAMES)}${i % 1000 === 0 ? '𠮷' : pick(GIVEN)}${rnd(2) ? pick(GIVEN) : ''}`;
    const y = 1950 + rnd(55);
    const m = 1 + rnd(12);
    const d = 1 + rnd(28);
    const birth = `${y}${m < 10 ? '0' : ''}${m}${d < 10 ? '0' : ''}${d}`;
    const idNo = `110101${birth}${String(rnd(10000)).padStart(4, '0')}`;
    const addr = `"${pick(CITIES)}${1 + rnd(999)}号${rnd(3) === 0 ? '""国际大厦""' : ''},${1 + rnd(9)}单元${100 + rnd(2900)}室"`;
    const capital = corp
      ? `"${(1 + rnd(999)).toLocaleString('en-US')},${String(rnd(1000)).padStart(3, '0')},000.00"`
      : '';
    yield [
      `C${String(i).padStart(10, '0')}`,
      corp ? '对公' : '个人',
      name,
      corp ? '统一社会信用代码' : '身份证',
      idNo,
      rnd(2) ? '男' : '女',
      birth,
      `1${3 + rnd(7)}${String(rnd(1e9)).padStart(9, '0')}`,
      `0${10 + rnd(90)}-${60000000 + rnd(9999999)}`,
      `u${i}@example.com`,
      addr,
      String(100000 + rnd(899999)),
      pick(JOBS),
      pick(EMPLOYERS),
      corp ? pick(SURNAMES) + pick(GIVEN) : '',
      capital,
      `01${String(rnd(20)).padStart(2, '0')}`,
      `20${10 + rnd(15)}-0${1 + rnd(9)}-1${rnd(10)}`,
      pick(['正常', '正常', '正常', '睡眠', '销户']),
      pick(['AAA', 'AA', 'A', 'BBB']),
      String(1 + rnd(5)),
      `E${String(1 + rnd(300)).padStart(4, '0')}`,
    ].join(',');
  }
}

export function writeCustomerCsv(file: string, rows: number): number {
  const fd = openSync(file, 'w');
  try {
    let block: string[] = [HEADER.join(',')];
    const flush = () => {
      writeSync(fd, iconv.encode(`${block.join('\r\n')}\r\n`, 'gb18030'));
      block = [];
    };
    for (const line of customerLines(rows)) {
      block.push(line);
      if (block.length >= 20_000) flush();
    }
    if (block.length > 0) flush();
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}

export interface PhaseResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  mbPerSecond: number;
  peakRssMb: number;
  rejected?: number;
}

async function measure(
  bytes: number,
  body: (sample: () => void) => Promise<{ rows: number; rejected?: number }>,
): Promise<PhaseResult> {
  globalThis.gc?.();
  let peak = process.memoryUsage().rss;
  const sample = () => {
    const r = process.memoryUsage().rss;
    if (r > peak) peak = r;
  };
  const timer = setInterval(sample, 20);
  const t0 = performance.now();
  try {
    const r = await body(sample);
    const seconds = (performance.now() - t0) / 1000;
    sample();
    return {
      ...r,
      seconds,
      rowsPerSecond: Math.round(r.rows / seconds),
      mbPerSecond: Math.round(bytes / 1e6 / seconds),
      peakRssMb: Math.round(peak / 2 ** 20),
    };
  } finally {
    clearInterval(timer);
  }
}

export async function benchParse(rows: number, opts: { dir?: string; keep?: boolean; csvParse?: boolean } = {}) {
  const dir = mkdtempSync(path.join(opts.dir ?? os.tmpdir(), 'crm-parse-bench-'));
  const file = path.join(dir, 'customers.csv');
  try {
    const tw = performance.now();
    const bytes = writeCustomerCsv(file, rows);
    const writeSeconds = (performance.now() - tw) / 1000;

    const parse = await measure(bytes, async (sample) => {
      const src = await openSource(file, customersProfile);
      let n = 0;
      for await (const batch of src.batches()) {
        n += batch.length;
        sample();
      }
      return { rows: n };
    });

    const convert = await measure(bytes, async (sample) => {
      const src = await openSource(file, customersProfile);
      const { indexes } = resolveColumns(customersProfile, src.header);
      const spec = IMPORT_FIELDS.customers;
      const convs = customersProfile.columns.map((c) => compileConverter(spec[c.field]!, c));
      const width = src.header?.length ?? 0;
      let n = 0;
      let rejected = 0;
      for await (const batch of src.batches()) {
        for (const rec of batch) {
          n++;
          if (rec.fields.length !== width) {
            rejected++;
            continue;
          }
          for (let i = 0; i < convs.length; i++) {
            if (!convs[i]!(rec.fields[indexes[i]!]!).ok) {
              rejected++;
              break;
            }
          }
        }
        sample();
      }
      return { rows: n, rejected };
    });

    // csv-parse over the same decoded text: its fastest options (plain arrays), then with the
    // info + raw we would need for line numbers and the rejects file.
    const viaCsvParse = (options: CsvOptions) =>
      measure(bytes, async (sample) => {
        const parser = csvParse({ relax_column_count: true, from_line: 2, ...options });
        let n = 0;
        const done = (async () => {
          for await (const _ of parser) if (++n % 5000 === 0) sample();
        })();
        const dec = new TextDecoder('gb18030', { fatal: true });
        for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
          if (!parser.write(dec.decode(chunk as Buffer, { stream: true })))
            await new Promise((r) => parser.once('drain', r));
        }
        parser.end(dec.decode());
        await done;
        return { rows: n };
      });
    const csv = opts.csvParse
      ? { fastest: await viaCsvParse({}), infoRaw: await viaCsvParse({ info: true, raw: true }) }
      : null;
    return { file, bytes, writeSeconds, parse, convert, csv };
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function line(label: string, r: PhaseResult): string {
  const rej = r.rejected !== undefined ? `, ${r.rejected} rejected` : '';
  return `${label.padEnd(14)} ${r.rows} rows in ${r.seconds.toFixed(2)} s = ${r.rowsPerSecond.toLocaleString('en-US')} rows/s, ${r.mbPerSecond} MB/s, peak RSS ${r.peakRssMb} MB${rej}`;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--rows');
  const rows = at >= 0 ? Number(argv[at + 1]) : 1_000_000;
  const dirAt = argv.indexOf('--dir');
  benchParse(rows, {
    csvParse: argv.includes('--csv-parse'),
    keep: argv.includes('--keep'),
    dir: dirAt >= 0 ? argv[dirAt + 1] : undefined,
  }).then(
    (r) => {
      const out = [
        `file           ${(r.bytes / 1e6).toFixed(1)} MB GB18030, ${rows} rows x ${HEADER.length} columns (written in ${r.writeSeconds.toFixed(1)} s)`,
        line('parse', r.parse),
        line('parse+convert', r.convert),
        ...(r.csv ? [line('csv-parse', r.csv.fastest), line('csv-parse+info', r.csv.infoRaw)] : []),
        `node ${process.version}, ${os.cpus().length} cores${process.execArgv.some((a) => a.startsWith('--max')) ? `, ${process.execArgv.filter((a) => a.startsWith('--max')).join(' ')}` : ''}`,
      ];
      process.stdout.write(`${out.join('\n')}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
