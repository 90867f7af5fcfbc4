/**
 * CSV for spreadsheets — the reports of §7 and the archive summary — rendered by csv-stringify:
 * RFC 4180 quoting with CRLF line ends; a UTF-8 byte order mark first, without which Excel and WPS
 * read the file as the system code page (GBK) and every Chinese cell turns to mojibake; and formula
 * escaping: a cell that starts with = + - @ (or their full-width forms, or a tab) gets a leading `'`,
 * so a spreadsheet shows the text staff typed instead of running it (CSV injection). Negative numbers
 * stay numbers.
 */
import { stringify } from 'csv-stringify/sync';

export type CsvCell = string | number | null | undefined;

export const CSV_BOM = '\ufeff';

/** Rows as a CSV document; null and undefined are empty cells. */
export function toCsv(rows: CsvCell[][]): string {
  // quote_record_delimiter: a cell with a bare \n or \r is quoted too, not only one with CRLF.
  return stringify(rows, { bom: true, escape_formulas: true, record_delimiter: 'windows', quote_record_delimiter: true });
}

/** A CSV document stored before it carried the byte order mark, as served now. */
export function withBom(csv: string): string {
  return csv.startsWith(CSV_BOM) ? csv : `${CSV_BOM}${csv}`;
}
