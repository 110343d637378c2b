/**
 * `crm model evaluate` on files the product has never seen, and the learners against an independent
 * tool: scikit-learn's breast-cancer set (the CSV Debian ships in python3-sklearn), folds made by
 * scikit-learn and given to us as a fold column, unregularised logistic regression fitted by
 * scikit-learn on the same folds. Needs python3 with sklearn (Debian: apt-get install
 * python3-sklearn; CRM_PYTHON names another python3).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../../main/models/random';
import { crm } from '../../support/cli';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PYTHON = process.env.CRM_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
let dir: string;

/** Writes the breast-cancer CSV with scikit-learn's stratified folds; returns sklearn's per-fold AUCs. */
const SKLEARN = `
import csv, json, sys, warnings
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
warnings.simplefilter('ignore')
d = load_breast_cancer()
X, y = d.data, d.target  # 0 = malignant, 1 = benign
pos = (y == 0).astype(int)  # we score malignant as the positive class
fold = np.zeros(len(y), dtype=int)
for k, (_, te) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(X, pos)):
    fold[te] = k + 1
with open(sys.argv[1], 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(list(d.feature_names) + ['diagnosis', 'fold'])
    for row, t, k in zip(X, y, fold):
        w.writerow([repr(float(v)) for v in row] + [d.target_names[t], int(k)])
aucs = []
for k in range(1, 6):
    tr, te = fold != k, fold == k
    try:
        lr = LogisticRegression(penalty=None, max_iter=100000)
        lr.get_params()
        m = make_pipeline(StandardScaler(), lr).fit(X[tr], pos[tr])
    except Exception:
        m = make_pipeline(StandardScaler(), LogisticRegression(penalty='none', max_iter=100000)).fit(X[tr], pos[tr])
    aucs.append(roc_auc_score(pos[te], m.predict_proba(X[te])[:, 1]))
print(json.dumps({'aucs': aucs, 'rows': int(len(y)), 'malignant': int(pos.sum())}))
`;

interface Json {
  rows: number;
  positives: number;
  features: { numeric: number; categorical: number };
  results: {
    learner: string;
    auc: number;
    meanFoldAuc: number;
    folds: { fold: string; auc: number; testRows: number }[];
    groups: { customers: number; positives: number; rate: number; lift: number }[];
  }[];
  leaks: { column: string; auc: number }[];
  notes: { column: string; kind: string; line?: number; position?: number }[];
  encoding: string | null;
}

let sk: { aucs: number[]; rows: number; malignant: number };
const bc = () => path.join(dir, 'breast_cancer.csv');

/** A branch-like file in Chinese: numbers, categories, empty fields, from a stated model. */
function branchRows(n: number, seed: number): string[][] {
  const next = rng(seed);
  const channels = ['柜面', '手机', '自助机', '网点外拓'];
  const rows: string[][] = [['客户号', '年龄', '余额（元）', '渠道', '月交易笔数', '是否流失']];
  for (let i = 0; i < n; i++) {
    const age = 20 + Math.floor(next() * 50);
    const balance = Math.round(next() * 200_000);
    const ch = Math.floor(next() * channels.length);
    const txns = next() < 0.15 ? '' : String(Math.floor(next() * 30));
    const eta =
      -0.5 + 0.03 * (45 - age) - balance / 80_000 + [0.8, -0.6, 0, 0.3][ch]! + (txns === '' ? 1 : -0.05 * Number(txns));
    const churn = next() < 1 / (1 + Math.exp(-eta)) ? '是' : '否';
    rows.push([
      `C${String(i).padStart(6, '0')}`,
      String(age),
      balance.toLocaleString('en-US'),
      channels[ch]!,
      txns,
      churn,
    ]);
  }
  return rows;
}

const csv = (rows: string[][]) =>
  `${rows.map((r) => r.map((v) => (/[",]/.test(v) ? `"${v}"` : v)).join(',')).join('\r\n')}\r\n`;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'crm-models-'));
  const r = spawnSync(PYTHON, ['-c', SKLEARN, bc()], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0)
    throw new Error(`python3 with scikit-learn is needed (apt-get install python3-sklearn): ${r.stderr}`);
  sk = JSON.parse(r.stdout) as typeof sk;
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crm model evaluate on public data, against scikit-learn on the same folds', () => {
  it('cross-validated AUC of the regularised logistic regression is at least unregularised scikit-learn', async () => {
    const r = await crm(
      'model',
      'evaluate',
      '--file',
      bc(),
      '--target',
      'diagnosis',
      '--positive',
      'malignant',
      '--fold-column',
      'fold',
      '--learner',
      'best',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as Json;
    expect(j.rows).toBe(sk.rows);
    expect(j.positives).toBe(sk.malignant);
    expect(j.features).toEqual({ numeric: 30, categorical: 0 });
    const logistic = j.results.find((x) => x.learner === 'logistic')!;
    expect(logistic.folds.map((f) => f.fold)).toEqual(['1', '2', '3', '4', '5']);
    const skMean = sk.aucs.reduce((a, b) => a + b, 0) / sk.aucs.length;
    expect(logistic.meanFoldAuc).toBeGreaterThanOrEqual(skMean);
    // fold by fold as well (regularisation matters on 455 training rows of 30 correlated columns)
    for (const [k, f] of logistic.folds.entries()) expect(f.auc).toBeGreaterThanOrEqual(sk.aucs[k]! - 0.005);
    const boosted = j.results.find((x) => x.learner === 'boosted')!;
    expect(boosted.meanFoldAuc).toBeGreaterThan(0.95);
    // the ten-group table covers every row once; the top group is nearly all malignant
    for (const res of j.results) {
      expect(res.groups.reduce((a, g) => a + g.customers, 0)).toBe(sk.rows);
      expect(res.groups.reduce((a, g) => a + g.positives, 0)).toBe(sk.malignant);
      expect(res.groups[0]!.rate).toBeGreaterThan(0.95);
    }
    expect(j.leaks).toEqual([]); // strong features, but none decides the diagnosis alone
  }, 300_000);

  it('prints AUC, per-fold AUCs and the ten-group table as text, in both languages', async () => {
    const zh = await crm(
      'model',
      'evaluate',
      '--file',
      bc(),
      '--target',
      'diagnosis',
      '--positive',
      'malignant',
      '--folds',
      '3',
      '--lang',
      'zh-CN',
    );
    expect(zh.code, zh.err).toBe(0);
    expect(zh.out).toMatch(/AUC：0\.9\d{3}/);
    expect(zh.out).toMatch(/各折 AUC：0\.9\d{3} 0\.9\d{3} 0\.9\d{3}/);
    expect(zh.out).toContain('十分组表');
    expect(zh.out).toMatch(/^\s*10\s+56\s/m);
    const en = await crm(
      'model',
      'evaluate',
      '--file',
      bc(),
      '--target',
      'diagnosis',
      '--positive',
      'malignant',
      '--folds',
      '3',
      '--lang',
      'en',
    );
    expect(en.out).toContain('Ten-group table');
    expect(en.out).toMatch(/AUC per fold: (0\.9\d{3} ){3}/);
    expect(en.out).not.toMatch(/models\.cli|\{\{/);
  }, 300_000);

  it('holds out later rows: trained on the first 400, tested on the rest; best chosen without the test rows', async () => {
    const r = await crm(
      'model',
      'evaluate',
      '--file',
      bc(),
      '--target',
      'diagnosis',
      '--positive',
      'malignant',
      '--train-rows',
      '1-400',
      '--test-rows',
      '401-569',
      '--learner',
      'best',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as Json & { chosen: string; chosenBy: string };
    expect(j.results.map((x) => x.learner)).toEqual(['logistic', 'boosted']);
    for (const res of j.results) {
      expect(res.folds).toHaveLength(1);
      expect(res.folds[0]!.testRows).toBe(169);
      expect(res.groups.reduce((a, g) => a + g.customers, 0)).toBe(169);
      expect(res.auc).toBeGreaterThan(0.95);
    }
    expect(j.chosenBy).toBe('training-folds');
    expect(['logistic', 'boosted']).toContain(j.chosen);
  }, 300_000);
});

describe('crm model evaluate on files of the branch', () => {
  it('reads GB18030 with Chinese headers, text as categories, thousands separators and empty fields', async () => {
    const rows = branchRows(3000, 1);
    const file = path.join(dir, '流失样本.csv');
    writeFileSync(file, iconv.encode(csv(rows), 'gb18030'));
    const r = await crm(
      'model',
      'evaluate',
      '--file',
      file,
      '--target',
      '是否流失',
      '--positive',
      '是',
      '--exclude',
      '客户号',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as Json;
    expect(j.encoding).toMatch(/^gb/);
    expect(j.rows).toBe(3000);
    expect(j.features).toEqual({ numeric: 3, categorical: 1 });
    expect(j.notes).toEqual([
      expect.objectContaining({ column: '渠道', kind: 'category', line: 2, position: expect.any(Number) }),
    ]);
    expect(j.results[0]!.auc).toBeGreaterThan(0.75);

    // the same rows as .xlsx give the same figures
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('样本');
    for (const row of rows) ws.addRow(row);
    const xlsx = path.join(dir, '流失样本.xlsx');
    await wb.xlsx.writeFile(xlsx);
    const x = await crm(
      'model',
      'evaluate',
      '--file',
      xlsx,
      '--target',
      '是否流失',
      '--positive',
      '是',
      '--exclude',
      '客户号',
      '--json',
    );
    expect(x.code, x.err).toBe(0);
    const jx = JSON.parse(x.out) as Json;
    expect(jx.results[0]!.auc).toBeCloseTo(j.results[0]!.auc, 10);
  }, 300_000);

  it('warns when one feature alone nearly decides the target, naming it', async () => {
    const rows = branchRows(1500, 2);
    rows[0]!.push('销户日期');
    const next = rng(4);
    for (const row of rows.slice(1)) row.push(row[5] === '是' && next() < 0.99 ? '2025-03-01' : '');
    const file = path.join(dir, 'leak.csv');
    writeFileSync(file, csv(rows));
    const r = await crm(
      'model',
      'evaluate',
      '--file',
      file,
      '--target',
      '是否流失',
      '--positive',
      '是',
      '--lang',
      'en',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Warning: feature 销户日期 alone nearly decides the target \(AUC 0\.99\d\d/);
    const zh = await crm(
      'model',
      'evaluate',
      '--file',
      file,
      '--target',
      '是否流失',
      '--positive',
      '是',
      '--exclude',
      '销户日期',
    );
    expect(zh.out).not.toContain('销户日期');
  }, 300_000);

  it('refuses bad input with the file, line and column, and exit 4 (64 for usage)', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'a,b,y\n1,2,yes\n3,4,no,extra\n5,6,yes\n');
    const r = await crm('model', 'evaluate', '--file', file, '--target', 'y', '--positive', 'yes', '--lang', 'en');
    expect(r.code).toBe(4);
    expect(r.err.trim()).toBe('bad.csv, line 3, column 8: This row has 4 fields; the header has 3');
    const zh = await crm('model', 'evaluate', '--file', file, '--target', 'y', '--positive', 'yes', '--lang', 'zh-CN');
    expect(zh.err).toContain('第 3 行');

    writeFileSync(file, 'a,b,y\n1,2,yes\n3,4,no\n');
    const absent = await crm('model', 'evaluate', '--file', file, '--target', 'y', '--positive', 'Y1', '--lang', 'en');
    expect(absent.code).toBe(4);
    expect(absent.err).toContain('never holds Y1 (values seen: yes, no)');
    const noCol = await crm(
      'model',
      'evaluate',
      '--file',
      file,
      '--target',
      'churn',
      '--positive',
      '1',
      '--lang',
      'en',
    );
    expect(noCol.err).toContain('The file has no column churn (its columns: a, b, y)');

    const usage = await crm(
      'model',
      'evaluate',
      '--file',
      file,
      '--target',
      'y',
      '--positive',
      'yes',
      '--folds',
      '1',
      '--lang',
      'en',
    );
    expect(usage.code).toBe(64);
    expect(usage.err).toContain('--folds must be a whole number from 2 to 100, not 1');
    const conflict = await crm(
      'model',
      'evaluate',
      '--file',
      file,
      '--target',
      'y',
      '--positive',
      'yes',
      '--folds',
      '3',
      '--fold-column',
      'a',
      '--lang',
      'en',
    );
    expect(conflict.err).toContain('--folds and --fold-column cannot be used together');

    const text = path.join(dir, 'gbk-typo.csv');
    writeFileSync(text, iconv.encode('余额,标志\n100,1\n200,0\n"30,1\n', 'gb18030'));
    const quote = await crm('model', 'evaluate', '--file', text, '--target', '标志', '--positive', '1', '--lang', 'en');
    expect(quote.code).toBe(4);
    expect(quote.err).toMatch(/gbk-typo\.csv, line 4.*quote/i);
  }, 300_000);

  it('runs from npm run crm as a separate process', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'main/cli/index.ts'),
        'model',
        'evaluate',
        '--file',
        bc(),
        '--target',
        'diagnosis',
        '--positive',
        'malignant',
        '--folds',
        '2',
        '--learner',
        'boosted',
        '--lang',
        'en',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 240_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Model evaluation: breast_cancer\.csv$/m);
    expect(readFileSync(bc(), 'utf8').split('\n')[0]).toContain('mean radius');
  }, 300_000);
});
