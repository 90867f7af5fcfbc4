import { formulaProblem, importReport, mapColumns, planHouseholds, planStaff, type HouseholdContext, type StaffContext, type Table } from '../../domain/imports';
import { phoneDigits } from '../../domain/archive';
import { afterMove, moveProblem } from '../../domain/occupancy';
import { rolesTheGrantorMayNotChange } from '../../domain/people';

const table = (headers: string[], ...rows: string[][]): Table => ({ headers, rows: rows.map((cells, i) => ({ line: i + 2, cells })) });

describe('what an import row is and what it would do', () => {
  it('columns are known by their English or Chinese names, whatever the case and spaces', () => {
    expect(mapColumns('households', ['房号', 'Area', 'building ', '联系人电话', ''])).toEqual({ fields: ['room', 'area', 'building', 'contactPhone', undefined] });
    expect(mapColumns('staff', ['工号', '姓名', '邮箱', '角色'])).toEqual({ fields: ['id', 'name', 'email', 'roles'] });
  });

  it('a cell a spreadsheet would run as a formula is refused; a phone written +86… is a phone', () => {
    for (const cell of ['=1+2', '+SUM(A1)', '-2+3', '@cmd', '\t=1']) expect(formulaProblem(cell, undefined)).toMatch(/formula/);
    expect(formulaProblem({ formula: 'A1*2' }, undefined)).toMatch(/^a formula \(=A1\*2\)/);
    expect(formulaProblem('+86 138 0013 8000', { field: 'contactPhone', names: ['contactPhone'], phone: true })).toBeUndefined();
    expect(formulaProblem('+86 138 0013 8000', { field: 'contactName', names: ['contactName'] })).toMatch(/formula/);
    expect(formulaProblem('王 = 先生', undefined)).toBeUndefined();
  });

  it('phones compare as their digits, without the mainland country code', () => {
    expect(phoneDigits('+86 138-0013-8000')).toBe('13800138000');
    expect(phoneDigits('0086 13800138000')).toBe('13800138000');
    expect(phoneDigits('010-6512 3456')).toBe('01065123456');
  });

  const ctx: HouseholdContext = {
    areaIds: new Set(['A1']),
    buildings: new Map([['B1', { areaId: 'A1', units: ['1'] }]]),
    existing: new Map([
      [
        '1-1-101',
        {
          id: 'P-1-1-101',
          buildingId: 'B1',
          archive: { moveInDate: '2024-01-15', membersCount: 2, occupation: '教师', ageBand: null, hobbies: [], skills: [], pets: [], festivals: [], serviceNeeds: null },
          contacts: [{ id: 7, name: '王先生', phone: '13800000001', email: null, relation: 'owner' }],
        },
      ],
    ]),
  };
  const headers = ['room', 'area', 'building', 'membersCount', 'occupation', 'contactName', 'contactPhone', 'contactEmail'];

  it('§0: an existing room takes only the fields its row gives; a contact known by phone is updated, an unknown one added', () => {
    const { rows, writes } = planHouseholds(
      table(headers, ['1-1-101', 'A1', 'B1', '3', '', '王大明', '+86 138 0000 0001', 'wang@example.com'], ['1-1-101', 'A1', 'B1', '', '', '', '', ''], ['1-1-102', 'A1', 'B1', '', '', '李女士', '13900000002', '']),
      headers.map((h) => h),
      ctx,
    );
    expect(rows.map((r) => [r.line, r.action, r.reasons])).toEqual([
      [2, 'update', []],
      [3, 'refused', ['duplicate room: also on line 2']],
      [4, 'create', []],
    ]);
    expect(writes[0]).toMatchObject({ archiveChanges: [{ field: 'membersCount', old: 2, new: 3 }], newContacts: [], contactUpdates: [{ id: 7, changes: [{ field: 'name', personal: true }, { field: 'email', personal: true }] }] });
    expect(rows[0].changes.some((c) => c.field === 'occupation')).toBe(false);
    expect(importReport('households', [], rows)).toMatchObject({ counts: { create: 1, update: 1, unchanged: 0, refused: 1 }, confirmable: false });
  });

  it('hr and audit are granted or taken away only by their holders', () => {
    expect(rolesTheGrantorMayNotChange(['manager'], [], ['hr', 'engineer'])).toEqual(['hr']);
    expect(rolesTheGrantorMayNotChange(['manager'], ['audit'], ['manager'])).toEqual(['audit']);
    expect(rolesTheGrantorMayNotChange(['manager', 'hr'], [], ['hr'])).toEqual([]);
    expect(rolesTheGrantorMayNotChange(['manager'], ['hr'], ['hr', 'butler'])).toEqual([]);
    const staffCtx: StaffContext = { propertyId: 'P1', areaIds: new Set(['A1']), importerRoles: ['manager'], existing: new Map([['S-AU1', { id: 'S-AU1', propertyId: 'P1', name: '审计', email: 'a@x.cn', roles: ['audit'], areaIds: [] }]]) };
    const { rows } = planStaff(table(['id', 'name', 'email', 'roles'], ['S-AU1', '审计', 'a@x.cn', 'manager']), ['id', 'name', 'email', 'roles'], staffCtx);
    expect(rows[0]).toMatchObject({ action: 'refused', reasons: [expect.stringMatching(/^roles: audit may be granted or taken away only by a holder/)] });
  });

  it('S1: a household moves out after it moved in, once; new occupants move in after that', () => {
    const occupied = { moveInDate: '2024-01-15', moveOutDate: null };
    expect(moveProblem('move-out', occupied, '2026-12-01', '2026-12-05')).toBeUndefined();
    expect(moveProblem('move-out', occupied, '2023-12-31', '2026-12-05')).toBe('before its move-in on 2024-01-15');
    expect(moveProblem('move-out', occupied, '2028-01-01', '2026-12-05')).toBe('a move more than a year ahead');
    expect(moveProblem('move-in', occupied, '2026-12-01', '2026-12-05')).toMatch(/^occupied since 2024-01-15/);
    const vacant = { moveInDate: '2024-01-15', moveOutDate: '2026-12-01' };
    expect(moveProblem('move-out', vacant, '2026-12-02', '2026-12-05')).toBe('the household moved out already, on 2026-12-01');
    expect(moveProblem('move-in', vacant, '2026-11-30', '2026-12-05')).toBe('before the last occupants moved out on 2026-12-01');
    expect(moveProblem('move-in', vacant, '2026-12-03', '2026-12-05')).toBeUndefined();
    expect(afterMove('move-in', '2026-12-03')).toEqual({ moveInDate: '2026-12-03', moveOutDate: null });
  });
});
