/**
 * An uploaded import file turned into a table of cells (domain/imports.ts decides what the cells
 * mean): CSV through csv-parse — UTF-8, or GB18030 as Excel in Chinese saves it — and XLSX through
 * exceljs, first sheet, formula cells kept as formulas so that they are refused rather than stored.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { MAX_IMPORT_ROWS, type Cell, type FileProblem, type Table } from '../domain/imports';

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const IMPORT_MEDIA_TYPES = [CSV_TYPE, XLSX_TYPE];
/** A 20,000-household CSV is a few megabytes. */
export const IMPORT_BODY_LIMIT = '12mb';
/** What an XLSX file may unpack to: a small file that inflates to gigabytes is refused unread. */
export const MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024;

type Read = { table: Table; format: 'csv' | 'xlsx' } | { problems: FileProblem[]; format: 'csv' | 'xlsx' };

const isZip = (buffer: Buffer) => buffer.length >= 4 && buffer.readUInt32LE(0) === 0x04034b50;

/** By what the bytes are, whatever the Content-Type said: an XLSX file is a ZIP archive. */
export async function readImportFile(buffer: Buffer): Promise<Read> {
  return isZip(buffer) ? readXlsx(buffer) : readCsv(buffer);
}

function decode(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buffer);
  } catch {
    return new TextDecoder('gb18030').decode(buffer);
  }
}

function tableOf(records: { line: number; cells: Cell[] }[]): Read {
  const [header, ...rows] = records.filter((r) => r.cells.some((c) => typeof c !== 'string' || c.trim() !== ''));
  if (!header) return { problems: [{ reason: 'the file has no header row' }], format: 'csv' };
  if (rows.length > MAX_IMPORT_ROWS) return { problems: [{ reason: `${rows.length} rows: at most ${MAX_IMPORT_ROWS} in one import` }], format: 'csv' };
  return { table: { headers: header.cells.map((c) => (typeof c === 'string' ? c.trim() : '')), rows }, format: 'csv' };
}

function readCsv(buffer: Buffer): Read {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(decode(buffer), { bom: true, relax_column_count: true, info: true, max_record_size: 64 * 1024, skip_empty_lines: true }) as never;
  } catch (error) {
    const e = error as { message?: string; lines?: number };
    return { problems: [{ reason: `not a CSV file this import can read (${(e.message ?? 'unreadable').split(':')[0]}${e.lines ? `, line ${e.lines}` : ''})` }], format: 'csv' };
  }
  if (records.length > MAX_IMPORT_ROWS + 1) return { problems: [{ reason: `${records.length - 1} rows: at most ${MAX_IMPORT_ROWS} in one import` }], format: 'csv' };
  return tableOf(records.map((r) => ({ line: r.info.lines, cells: r.record })));
}

/**
 * The sizes a ZIP archive's central directory declares for its entries, added up — read before
 * exceljs inflates anything. Written here because it is the guard that is ours: the format is the
 * fixed ZIP end-of-central-directory and central directory headers. ZIP64 archives (over 4 GiB)
 * are not what a spreadsheet of households is, and are refused.
 */
function unpackedSize(buffer: Buffer): number | undefined {
  const EOCD = 0x06054b50;
  for (let at = buffer.length - 22; at >= Math.max(0, buffer.length - 22 - 0xffff); at--) {
    if (buffer.readUInt32LE(at) !== EOCD) continue;
    const entries = buffer.readUInt16LE(at + 10);
    let offset = buffer.readUInt32LE(at + 16);
    let total = 0;
    for (let i = 0; i < entries; i++) {
      if (offset + 46 > buffer.length || buffer.readUInt32LE(offset) !== 0x02014b50) return undefined;
      const size = buffer.readUInt32LE(offset + 24);
      if (size === 0xffffffff) return undefined;
      total += size;
      offset += 46 + buffer.readUInt16LE(offset + 28) + buffer.readUInt16LE(offset + 30) + buffer.readUInt16LE(offset + 32);
    }
    return total;
  }
  return undefined;
}

/** A cell's value as text: dates as YYYY-MM-DD, rich text and links as their text, formulas kept. */
function cellOf(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('formula' in value || 'sharedFormula' in value) return { formula: String((value as { formula?: string; sharedFormula?: string }).formula ?? (value as { sharedFormula?: string }).sharedFormula) };
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return String(value.text);
    if ('error' in value) return String(value.error);
    return '';
  }
  return String(value);
}

async function readXlsx(buffer: Buffer): Promise<Read> {
  const size = unpackedSize(buffer);
  if (size === undefined) return { problems: [{ reason: 'not an XLSX file this import can read (damaged or ZIP64 archive)' }], format: 'xlsx' };
  if (size > MAX_XLSX_UNPACKED_BYTES) return { problems: [{ reason: `the workbook unpacks to ${Math.round(size / 2 ** 20)} MiB: at most ${MAX_XLSX_UNPACKED_BYTES / 2 ** 20} MiB` }], format: 'xlsx' };
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch (error) {
    return { problems: [{ reason: `not an XLSX file this import can read (${(error as Error).message.split(':')[0]})` }], format: 'xlsx' };
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return { problems: [{ reason: 'the workbook has no sheet' }], format: 'xlsx' };
  if (sheet.actualRowCount > MAX_IMPORT_ROWS + 1) return { problems: [{ reason: `${sheet.actualRowCount - 1} rows: at most ${MAX_IMPORT_ROWS} in one import` }], format: 'xlsx' };
  const records: { line: number; cells: Cell[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: Cell[] = [];
    // row.values is 1-based: index 0 is empty.
    const values = row.values as ExcelJS.CellValue[];
    for (let i = 1; i < values.length; i++) cells.push(cellOf(values[i]));
    records.push({ line, cells });
  });
  const read = tableOf(records);
  return { ...read, format: 'xlsx' } as Read;
}
