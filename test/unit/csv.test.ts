/** domain/csv.ts: the CSV every report and the archive summary are served as. */
import { toCsv, withBom } from '../../domain/csv';

describe('CSV for spreadsheets', () => {
  it('starts with a UTF-8 byte order mark, so Excel and WPS read Chinese as UTF-8, and ends each row with CRLF', () => {
    const csv = toCsv([['area', 'occupation'], ['A1', '教师']]);
    expect(csv).toBe('\ufeffarea,occupation\r\nA1,教师\r\n');
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('quotes commas, quotes and line breaks; null and undefined are empty cells', () => {
    expect(toCsv([['a', 'b,c', 'd"e', 'f\ng', null, undefined, 1]])).toBe('\ufeffa,"b,c","d""e","f\ng",,,1\r\n');
  });

  it('a cell that would start a formula (= + - @, their full-width forms, a tab) begins with a quote; numbers stay numbers', () => {
    const csv = toCsv([['=1+2', '+86', '-x', '@SUM(A1)', '＝1', '\tx', -3, 2.5, 'a=b']]);
    expect(csv).toBe("\ufeff'=1+2,'+86,'-x,'@SUM(A1),'＝1,'\tx,-3,2.5,a=b\r\n");
  });

  it('a copy stored before the byte order mark gets one, once', () => {
    expect(withBom('a,b\r\n')).toBe('\ufeffa,b\r\n');
    expect(withBom('\ufeffa,b\r\n')).toBe('\ufeffa,b\r\n');
  });
});
