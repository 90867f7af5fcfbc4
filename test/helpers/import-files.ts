/** Import files as a property's office would make them: CSV text and XLSX workbooks of households and staff. */
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';

export type Row = (string | number | Date | { formula: string } | null)[];

const csvCell = (value: Row[number]) => {
  const text = value === null ? '' : value instanceof Date ? value.toISOString().slice(0, 10) : typeof value === 'object' ? `=${value.formula}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function csv(headers: string[], rows: Row[]): Buffer {
  return Buffer.from(`\ufeff${[headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`, 'utf8');
}

export async function xlsx(headers: string[], rows: Row[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('导入');
  sheet.addRow(headers);
  for (const row of rows) sheet.addRow(row.map((v) => (v && typeof v === 'object' && !(v instanceof Date) ? { formula: v.formula, result: 0 } : v)));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export const HOUSEHOLD_HEADERS = ['room', 'area', 'building', 'moveInDate', 'membersCount', 'occupation', 'ageBand', 'hobbies', 'pets', 'contactName', 'contactPhone', 'contactEmail', 'contactRelation'];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];

/**
 * `count` households of a building, rooms `<buildingNo>-<unit>-<floor><door>` over `units` units,
 * 2 doors a floor, each with an owner reachable by phone (`phonePrefix` + a running number).
 */
export function households(count: number, place: { area: string; building: string; buildingNo: string; units: number; phonePrefix: string }): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const unit = 1 + (i % place.units);
    const floor = 1 + Math.floor(i / (place.units * 2));
    const door = 1 + (Math.floor(i / place.units) % 2);
    const room = `${place.buildingNo}-${unit}-${floor * 100 + door}`;
    return [
      room,
      place.area,
      place.building,
      `2024-${String(1 + (i % 12)).padStart(2, '0')}-15`,
      1 + (i % 5),
      i % 3 ? '教师' : '工程师',
      ['18-30', '31-45', '46-60', '60+'][i % 4],
      i % 2 ? '书法;太极' : '跑步',
      i % 4 ? '' : '猫',
      `${SURNAMES[i % SURNAMES.length]}先生`,
      `${place.phonePrefix}${String(i).padStart(11 - place.phonePrefix.length, '0')}`,
      `owner-${room}@example.com`,
      'owner',
    ];
  });
}

export const STAFF_HEADERS = ['id', 'name', 'email', 'roles', 'areas'];

/**
 * A ZIP archive of one entry of `size` zero bytes, deflated: a few hundred kilobytes that unpack to
 * `size` (local header, data, central directory and its end, as the ZIP format lays them out).
 */
export function zipOfZeros(name: string, size: number): Buffer {
  const data = deflateRawSync(Buffer.alloc(size), { level: 9 });
  // The guard reads the declared sizes only; nothing here inflates the entry, so its CRC is left 0.
  const crc = 0;
  const file = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(file.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(file.length, 28);
  const centralAt = local.length + file.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + file.length, 12);
  end.writeUInt32LE(centralAt, 16);
  return Buffer.concat([local, file, data, central, file, end]);
}
