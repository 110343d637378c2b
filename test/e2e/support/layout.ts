import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';

/**
 * Layout checks for any screen, as a branch user would trip on them (issue 17): the page never scrolls
 * sideways, no table cell or header breaks a short label onto a second line (说明 / 阶段 one character
 * per line), the primary list shows at least ten rows (or all it has), and no visible text is an
 * internal code: a snake_case identifier, a schema or method path (filter.advanced.items.1.value,
 * auth.signIn) or a record id (#7959); no button is left in the browser's own look (an unstyled
 * 查询 beside the app's buttons), and no choice box shows a blank or a dash for what it is set to (a
 * month picker reading "—" while the report runs over 2026-10), and no work list's column header is
 * cut or runs past the list's edge; no table or other content runs past its panel (a table wider than
 * the box it sits in, unless a wrapper scrolls it on purpose). Each check names what failed, so a
 * failure reads as a finding.
 */

/** A label this short on two lines is a label broken, not a sentence wrapped. */
const SHORT_LABEL = 12;

export interface LayoutFinding {
  check:
    | 'sideways-scroll'
    | 'wrapped-label'
    | 'few-rows'
    | 'internal-code'
    | 'unstyled-button'
    | 'blank-select'
    | 'cut-header'
    | 'overflow';
  detail: string;
}

/** Visible text that reads as an internal code. */
export const CODE_PATTERNS: readonly { name: string; re: RegExp }[] = [
  { name: 'snake_case', re: /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/ },
  { name: 'schema path', re: /\b[a-zA-Z]+(?:\.(?:[a-zA-Z]+|\d+)){2,}\b/ },
  { name: 'method name', re: /\b[a-z]+\.[a-z]+[A-Z][A-Za-z]*\b/ },
  { name: 'record id', re: /(?<![\w&])#\d+\b/ },
];

/** The page is no wider than the window. */
export async function sidewaysScroll(page: Page): Promise<LayoutFinding[]> {
  const over = await page.locator('html').evaluate((h) => h.scrollWidth - h.clientWidth);
  return over > 0 ? [{ check: 'sideways-scroll', detail: `the page is ${over}px wider than the window` }] : [];
}

/** Short labels in table cells, grid cells and headers that the layout broke onto more than one line. */
export async function wrappedLabels(page: Page): Promise<LayoutFinding[]> {
  const broken = await page
    .locator('td, th, [role="gridcell"], [role="columnheader"], .ag-header-cell-text')
    .evaluateAll((cells, max) => {
      const out: string[] = [];
      for (const cell of cells) {
        // biome-ignore lint/performance/useDomNodeTextContent: the text as laid out; hidden text is not on screen
        const text = ((cell as { innerText?: string }).innerText ?? '').trim();
        if (!text || text.length > max || text.includes('\n')) continue;
        const box = cell.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        // lines: the tops of the text's own boxes (not icons or handles), more than half a line apart
        const doc = cell.ownerDocument;
        const walker = doc.createTreeWalker(cell, 4 /* NodeFilter.SHOW_TEXT */);
        const tops: number[] = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (!n.textContent?.trim()) continue;
          const range = doc.createRange();
          range.selectNodeContents(n);
          for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) tops.push(r.top);
        }
        tops.sort((a, b) => a - b);
        const half = Number.parseFloat(doc.defaultView?.getComputedStyle(cell).fontSize || '14') * 0.6;
        let lines = tops.length ? 1 : 0;
        for (let i = 1; i < tops.length; i++) if ((tops[i] ?? 0) - (tops[i - 1] ?? 0) > half) lines++;
        if (lines > 1) out.push(text);
      }
      return [...new Set(out)];
    }, SHORT_LABEL);
  return broken.map((t) => ({ check: 'wrapped-label', detail: `“${t}” breaks onto more than one line` }));
}

/** Visible text matching an internal code pattern. */
export async function internalCodes(page: Page): Promise<LayoutFinding[]> {
  // a file's own name (daily_balances.csv, as the core system calls it) is what the user sees on disk
  // biome-ignore lint/performance/useDomNodeTextContent: what is on screen; hidden text (closed dialogs, tooltips) is not
  const text = (await page.locator('body').innerText()).replace(/\S+\.(?:csv|xlsx|xls|dat|txt|zip|db)\b/gi, '');
  const out: LayoutFinding[] = [];
  for (const { name, re } of CODE_PATTERNS) {
    const g = new RegExp(re.source, 'g');
    const hits = [...new Set([...text.matchAll(g)].map((m) => m[0]))];
    for (const h of hits.slice(0, 5)) out.push({ check: 'internal-code', detail: `${name}: ${h}` });
  }
  return out;
}

/**
 * Buttons on screen in the browser's default look (Chromium draws an unstyled button with a 2px
 * "outset" border on its grey button face): every button should wear the app's style (.btn, a chip,
 * a link button, an icon button), whatever class gives it.
 */
export async function unstyledButtons(page: Page): Promise<LayoutFinding[]> {
  const names = await page.locator('button, input[type="button"], input[type="submit"]').evaluateAll((els) => {
    const out: string[] = [];
    for (const el of els) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const css = el.ownerDocument.defaultView?.getComputedStyle(el);
      if (!css || css.visibility === 'hidden') continue;
      const sides = [css.borderTopStyle, css.borderRightStyle, css.borderBottomStyle, css.borderLeftStyle];
      if (!sides.includes('outset')) continue;
      // biome-ignore lint/performance/useDomNodeTextContent: the label as laid out
      const text = ((el as { innerText?: string }).innerText ?? '').trim() || el.getAttribute('aria-label') || '?';
      out.push(text);
    }
    return [...new Set(out)];
  });
  return names.map((n) => ({ check: 'unstyled-button', detail: `“${n}” is in the browser's default button look` }));
}

/** Choice boxes on screen whose shown choice is empty or a bare dash: the screen should say what is chosen. */
export async function blankSelects(page: Page): Promise<LayoutFinding[]> {
  const blank = await page.locator('select').evaluateAll((els) => {
    const out: string[] = [];
    for (const el of els as HTMLSelectElement[]) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const shown = (el.selectedOptions[0]?.textContent ?? '').trim();
      if (shown !== '' && !/^[—–-]+$/.test(shown)) continue;
      const label =
        el.labels?.[0]?.textContent?.trim() || el.getAttribute('aria-label') || el.getAttribute('data-testid');
      out.push(label ?? '?');
    }
    return out;
  });
  return blank.map((n) => ({ check: 'blank-select', detail: `the choice “${n}” shows a blank or a dash` }));
}

/**
 * Column headers of the work lists (components/ListGrid.tsx: columns sized to their content) cut
 * with "…", columns running past the list's right edge or stopping short of it, or a figure cut: at
 * any size and in either language a header and an amount read whole and the list is filled (an empty
 * list's headers ran off; 1,473,921… at 1366; a blank band right of 转介队列's columns).
 */
export async function cutHeaders(page: Page): Promise<LayoutFinding[]> {
  const cut = await page.locator('.list-grid').evaluateAll((grids) => {
    const out: string[] = [];
    for (const grid of grids) {
      const edge = grid.getBoundingClientRect();
      if (edge.width === 0) continue;
      for (const h of grid.querySelectorAll<HTMLElement>('.ag-header-cell-text')) {
        const text = (h.textContent ?? '').trim();
        if (!text) continue;
        const box = h.getBoundingClientRect();
        if (h.scrollWidth > h.clientWidth + 1) out.push(`“${text}” is cut`);
        else if (box.right > edge.right + 1) out.push(`“${text}” runs past the list's edge`);
      }
      // the columns fill the list (its long-text column takes the rest): no blank band at its right
      const heads = [...grid.querySelectorAll<HTMLElement>('.ag-header-cell')].filter((h) => h.offsetWidth > 0);
      const right = Math.max(...heads.map((h) => h.getBoundingClientRect().right));
      const body = grid.querySelector('.ag-header-viewport')?.getBoundingClientRect().right ?? edge.right;
      if (heads.length && right < body - 24)
        out.push(`the columns stop ${Math.round(body - right)}px short of the list's edge`);
      // figures (right-aligned: amounts, counts) are never the ones given up to "…"
      for (const cell of grid.querySelectorAll<HTMLElement>('.ag-cell.ag-right-aligned-cell')) {
        if (cell.scrollWidth > cell.clientWidth + 1) out.push(`the figure “${(cell.textContent ?? '').trim()}” is cut`);
      }
    }
    return [...new Set(out)];
  });
  return cut.map((detail) => ({ check: 'cut-header', detail }));
}

/**
 * Content running past its panel: a table wider than the panel (or form section) it sits in, or any
 * box whose content is wider than it while it does not scroll (overflow visible: the excess spills over
 * the panel's border or under its neighbour). A wrapper that scrolls sideways on purpose (overflow-x
 * auto/scroll, e.g. .table-wrap) between the table and its panel makes it the table's edge instead; a
 * grid (ag-grid) scrolls inside itself and is left to cutHeaders.
 */
export async function overflowingContent(page: Page): Promise<LayoutFinding[]> {
  const over = await page.locator('main .panel, main fieldset, main .page').evaluateAll((boxes) => {
    const out: string[] = [];
    const css = (el: Element) => el.ownerDocument.defaultView!.getComputedStyle(el);
    const scrolls = (el: Element) => ['auto', 'scroll'].includes(css(el).overflowX);
    const name = (el: Element): string => {
      const id = el.getAttribute('data-testid');
      const head = el.querySelector('h1, h2, h3, legend, caption, th');
      const text = (head?.textContent ?? '').trim().slice(0, 40);
      return id ? `${text || el.tagName.toLowerCase()} (${id})` : text || el.tagName.toLowerCase();
    };
    for (const box of boxes) {
      const r = box.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const s = css(box);
      // the panel's inner right edge: inside its border and padding
      const inner = r.right - Number.parseFloat(s.borderRightWidth) - Number.parseFloat(s.paddingRight);
      for (const table of box.querySelectorAll('table')) {
        const t = table.getBoundingClientRect();
        if (t.width === 0 || t.height === 0) continue;
        // the nearest panel-like box holds it: a nested panel is checked on its own
        if (table.parentElement?.closest('.panel, fieldset, .page') !== box) continue;
        let wrapped = false;
        for (let a: Element | null = table.parentElement; a && a !== box; a = a.parentElement)
          if (scrolls(a)) wrapped = true;
        if (!wrapped && t.right > inner + 1)
          out.push(
            `the table “${name(table)}” is ${Math.round(t.right - inner)}px wider than its panel “${name(box)}”`,
          );
      }
      // the box's own content spills over it (and the box does not scroll it on purpose)
      if (!scrolls(box) && s.overflowX !== 'hidden' && box.scrollWidth > box.clientWidth + 1)
        out.push(`the content of “${name(box)}” is ${box.scrollWidth - box.clientWidth}px wider than it`);
    }
    return [...new Set(out)];
  });
  return over.map((detail) => ({ check: 'overflow', detail }));
}

/** Side-menu names cut with "…" (the current page's is bold and widest): every page is named whole. */
export async function cutNavLabels(page: Page): Promise<LayoutFinding[]> {
  const cut = await page
    .locator('nav .nav-label')
    .evaluateAll((els) =>
      els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => (e.textContent ?? '').trim()),
    );
  return cut.map((n) => ({ check: 'cut-header', detail: `the menu's “${n}” is cut` }));
}

/**
 * The list's rows that are wholly on screen, against the rows it has: at least `min` of them show,
 * or all of them when it has fewer. Rows are ag-grid's rows or a table body's.
 */
export async function fewRows(list: Locator, min = 10): Promise<LayoutFinding[]> {
  const r = await list.evaluate((el) => {
    const rows = [...el.querySelectorAll('.ag-center-cols-container [role="row"], tbody tr, [role="option"]')];
    const height = el.ownerDocument.defaultView?.innerHeight ?? 0;
    // a grid's own scroll port bounds what it shows as well as the window
    const port = el.querySelector('.ag-body-viewport')?.getBoundingClientRect();
    const top = Math.max(0, port?.top ?? 0);
    const bottom = Math.min(height, port?.bottom ?? height);
    const shown = rows.filter((row) => {
      const b = row.getBoundingClientRect();
      return b.height > 0 && b.top >= top - 1 && b.bottom <= bottom + 1;
    }).length;
    return { shown, total: rows.length };
  });
  const need = Math.min(min, r.total);
  return r.shown < need
    ? [{ check: 'few-rows', detail: `${r.shown} of ${r.total} rows on screen (at least ${need} should be)` }]
    : [];
}

/** Every check on the screen as it is now; `list` is the screen's primary list, if it has one. */
export async function layoutFindings(page: Page, list?: Locator): Promise<LayoutFinding[]> {
  return [
    ...(await sidewaysScroll(page)),
    ...(await wrappedLabels(page)),
    ...(await internalCodes(page)),
    ...(await unstyledButtons(page)),
    ...(await blankSelects(page)),
    ...(await cutHeaders(page)),
    ...(await cutNavLabels(page)),
    ...(await overflowingContent(page)),
    ...(list ? await fewRows(list) : []),
  ];
}

/** Fails with every finding listed, after the screen had a moment to settle (lists size their columns a frame late). */
export async function expectTidyLayout(page: Page, list?: Locator, where = ''): Promise<void> {
  await expect(async () => {
    expect(await layoutFindings(page, list), `layout problems ${where}`).toEqual([]);
  }).toPass({ timeout: 4_000 });
}

/** What the window shows (not the full page), under test-results/screenshots. */
export async function saveScreen(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: path.resolve(__dirname, '..', '..', '..', 'test-results', 'screenshots', `${name}.png`),
  });
}
