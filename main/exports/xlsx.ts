/**
 * A streaming .xlsx writer for the grid export: one pass, rows written and forgotten, memory flat.
 *
 * Why not exceljs's WorkbookWriter (which this replaced): it builds a Row and Cell objects per value,
 * resolves each cell's style and converts dates through its model, and its worksheet stream ignores
 * backpressure. For a million rows x 20 columns that cost more than reading the rows from SQLite.
 * Here a row is one string built from per-column cell writers decided once; the zip container is
 * archiver (zlib deflates on the thread pool while the next rows are built), and rows wait whenever
 * the entry's buffer is full.
 *
 * What it writes (ECMA-376 SpreadsheetML, the parts Excel, LibreOffice and openpyxl need): text as
 * inline strings (no shared-string table to hold in memory), numbers with a format, dates as date
 * serials with a date format, text-formatted columns ('@') so customer and ID numbers stay text, a
 * frozen header row, an autofilter over the header, column widths, several sheets.
 */
import { createWriteStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import archiver from 'archiver';

/** text: numFmt '@' (stays text in Excel); general: no format (words, labels); number/money/date: numeric cells. */
export type XlsxCellType = 'text' | 'general' | 'number' | 'money' | 'date';

export interface XlsxColumn {
  header: string;
  type: XlsxCellType;
  width?: number;
}

/** Style ids in styles.xml's cellXfs. */
const STYLE: Record<XlsxCellType, number> = { general: 0, number: 0, money: 1, date: 2, text: 3 };
const HEADER_STYLE = 4;

/** XML 1.0 forbids most C0 controls even escaped: they are dropped. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are exactly what must be found
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, the characters to find
const NEEDS_ESCAPE = /[&<>"\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export function xmlText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s
    .replace(INVALID_XML, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** Column letters: 0 -> A, 25 -> Z, 26 -> AA. */
export function columnLetters(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/** Excel's serial day number of an ISO date ('YYYY-MM-DD...'), or null when it is not one. */
export function dateSerial(v: unknown): number | null {
  if (typeof v !== 'string' || v.length < 10) return null;
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d) || v[4] !== '-' || v[7] !== '-') return null;
  return (Date.UTC(y, m - 1, d) - EXCEL_EPOCH) / 86_400_000;
}

function inlineString(ref: string, style: number, s: string): string {
  const t = xmlText(s);
  const space =
    t.length > 0 && (t[0] === ' ' || t[t.length - 1] === ' ' || t.includes('\n')) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}" s="${style}" t="inlineStr"><is><t${space}>${t}</t></is></c>`;
}

/** One column's cell as XML for row `row` (1-based), or '' for an empty value. */
type CellWriter = (v: unknown, row: number) => string;

function cellWriter(col: XlsxColumn, index: number): CellWriter {
  const letters = columnLetters(index);
  const s = STYLE[col.type];
  switch (col.type) {
    case 'money':
    case 'number':
      return (v, row) => {
        if (v == null || v === '') return '';
        const n = typeof v === 'number' ? v : Number(v);
        return Number.isFinite(n)
          ? `<c r="${letters}${row}" s="${s}"><v>${n}</v></c>`
          : inlineString(`${letters}${row}`, s, String(v));
      };
    case 'date':
      return (v, row) => {
        if (v == null || v === '') return '';
        const serial = dateSerial(v);
        return serial === null
          ? inlineString(`${letters}${row}`, s, String(v))
          : `<c r="${letters}${row}" s="${s}"><v>${serial}</v></c>`;
      };
    default:
      return (v, row) => (v == null || v === '' ? '' : inlineString(`${letters}${row}`, s, String(v)));
  }
}

const CONTENT_TYPES = (sheets: number) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>${Array.from(
    { length: sheets },
    (_, i) =>
      `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
  ).join(
    '',
  )}<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>`;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="#,##0.00"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

/** Sheet names: at most 31 characters, none of : \ / ? * [ ], unique. */
export function sheetName(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .replace(/[:\\/?*[\]]/g, ' ')
      .trim()
      .slice(0, 31) || 'Sheet';
  let out = base;
  for (let n = 2; taken.has(out.toLowerCase()); n++) out = `${base.slice(0, 31 - String(n).length - 3)} (${n})`;
  return out;
}

export class XlsxStreamWriter {
  private readonly archive = archiver('zip', { zlib: { level: 6 } });
  private readonly out;
  private readonly closed: Promise<void>;
  private readonly writers: CellWriter[];
  private readonly lastCol: string;
  private readonly sheets: string[] = [];
  private entry: PassThrough | null = null;
  private row = 0;
  private buf = '';
  private failed: Error | null = null;

  constructor(
    file: string,
    private readonly columns: readonly XlsxColumn[],
  ) {
    this.out = createWriteStream(file);
    this.closed = new Promise<void>((resolve, reject) => {
      this.out.on('close', resolve);
      this.out.on('error', reject);
      this.archive.on('error', reject);
    });
    this.closed.catch((e: Error) => {
      this.failed = e;
    });
    this.archive.pipe(this.out);
    this.writers = columns.map((c, i) => cellWriter(c, i));
    this.lastCol = columnLetters(columns.length - 1);
  }

  /** Starts a new sheet (ending the current one) with the header row. */
  async addSheet(name: string): Promise<void> {
    await this.endSheet();
    const title = sheetName(name, new Set(this.sheets.map((s) => s.toLowerCase())));
    this.sheets.push(title);
    this.entry = new PassThrough({ highWaterMark: 8 << 20 });
    this.archive.append(this.entry, { name: `xl/worksheets/sheet${this.sheets.length}.xml` });
    const cols = this.columns
      .map(
        (c, i) =>
          `<col min="${i + 1}" max="${i + 1}" width="${c.width ?? 12}" customWidth="1" style="${STYLE[c.type]}"/>`,
      )
      .join('');
    this.buf =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
      `<dimension ref="A1:${this.lastCol}1"/>` +
      '<sheetViews><sheetView workbookViewId="0"' +
      (this.sheets.length === 1 ? ' tabSelected="1"' : '') +
      '><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>' +
      `<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData>` +
      `<row r="1">${this.columns.map((c, i) => inlineString(`${columnLetters(i)}1`, HEADER_STYLE, c.header)).join('')}</row>`;
    this.row = 1;
  }

  /** Rows written to the current sheet, header included. */
  get rowsInSheet(): number {
    return this.row;
  }

  /** Appends a row of values in column order; resolves at once unless the zip entry's buffer is full. */
  writeRow(values: readonly unknown[]): Promise<void> | null {
    if (this.failed) throw this.failed;
    const r = ++this.row;
    let xml = `<row r="${r}">`;
    for (let i = 0; i < this.writers.length; i++) xml += this.writers[i]!(values[i], r);
    this.buf += `${xml}</row>`;
    if (this.buf.length < 1 << 16) return null;
    return this.flush();
  }

  private flush(): Promise<void> | null {
    const chunk = this.buf;
    this.buf = '';
    if (this.entry!.write(chunk)) return null;
    return new Promise<void>((resolve, reject) => {
      const e = this.entry!;
      const done = () => {
        e.off('error', fail);
        resolve();
      };
      const fail = (err: Error) => {
        e.off('drain', done);
        reject(err);
      };
      e.once('drain', done);
      e.once('error', fail);
    });
  }

  private async endSheet(): Promise<void> {
    if (!this.entry) return;
    this.buf += `</sheetData><autoFilter ref="A1:${this.lastCol}1"/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`;
    await this.flush();
    const e = this.entry;
    this.entry = null;
    await new Promise<void>((resolve) => e.end(resolve));
  }

  /** Ends the last sheet, writes the workbook parts and closes the file. */
  async finish(): Promise<void> {
    if (this.sheets.length === 0) await this.addSheet('Sheet1');
    await this.endSheet();
    const n = this.sheets.length;
    const esc = (s: string) => xmlText(s);
    const workbook =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
      '<bookViews><workbookView activeTab="0"/></bookViews><sheets>' +
      this.sheets.map((s, i) => `<sheet name="${esc(s)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
      '</sheets><definedNames>' +
      this.sheets
        .map(
          (s, i) =>
            `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">'${esc(s.replaceAll("'", "''"))}'!$A$1:$${this.lastCol}$1</definedName>`,
        )
        .join('') +
      '</definedNames></workbook>';
    const rels =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      this.sheets
        .map(
          (_, i) =>
            `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
        )
        .join('') +
      `<Relationship Id="rId${n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const core =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      `<dc:creator>Branch CRM</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${now}</dcterms:created></cp:coreProperties>`;
    const app =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Branch CRM</Application></Properties>';
    this.archive.append(workbook, { name: 'xl/workbook.xml' });
    this.archive.append(rels, { name: 'xl/_rels/workbook.xml.rels' });
    this.archive.append(STYLES, { name: 'xl/styles.xml' });
    this.archive.append(CONTENT_TYPES(n), { name: '[Content_Types].xml' });
    this.archive.append(ROOT_RELS, { name: '_rels/.rels' });
    this.archive.append(core, { name: 'docProps/core.xml' });
    this.archive.append(app, { name: 'docProps/app.xml' });
    await this.archive.finalize();
    await this.closed;
  }

  /** Stops writing (cancel or failure); the caller removes the file. */
  abort(): void {
    this.archive.abort();
    this.out.destroy();
  }
}
