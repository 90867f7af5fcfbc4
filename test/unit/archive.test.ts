/** domain/archive.ts: how an archive change is audited and how the yearly summary counts (pure). */
import { archiveSummaryCsv, diffFields, PERSONAL_CONTACT_FIELDS, summariseArchive } from '../../domain/archive';
import { DEFAULT_POLICY, DAY } from '../../domain/policy';
import { rectificationStartBy, replyBy } from '../../domain/requests';

describe('archive changes', () => {
  it('§0: only changed fields are recorded, personal ones by name only', () => {
    const current = { name: '王先生', phone: '13800000000', occupation: '教师', pets: ['猫'] };
    expect(diffFields(current, { name: '王大明', phone: '13800000000', occupation: '退休', pets: ['猫'] }, PERSONAL_CONTACT_FIELDS)).toEqual([
      { field: 'name', personal: true },
      { field: 'occupation', old: '教师', new: '退休' },
    ]);
    expect(diffFields({}, { phone: '139', relation: 'owner' }, PERSONAL_CONTACT_FIELDS)).toEqual([{ field: 'phone', personal: true }, { field: 'relation', old: null, new: 'owner' }]);
  });
});

describe('yearly summary', () => {
  const household = (over: Partial<Parameters<typeof summariseArchive>[1][number]> = {}) => ({
    membersCount: 2, occupation: '教师', ageBand: '31-45', pets: [], festivals: ['春节'], serviceNeeds: null, moveInDate: '2025-03-01', contacts: [], ...over,
  });

  it('§0: counts occupations and age bands once per person (members\' own, else the household\'s), pets, festivals, needs and move-ins of the year', () => {
    const summary = summariseArchive(2026, [
      household({ pets: ['猫', '狗'], contacts: [{ occupation: '医生', ageBand: '60+' }] }),
      household({ occupation: '医生', serviceNeeds: '独居老人', moveInDate: '2026-02-01', membersCount: null }),
    ], 7);
    expect(summary).toEqual({
      year: 2026, households: 2, members: 2,
      occupations: { 医生: 2 }, ageBands: { '31-45': 1, '60+': 1 },
      pets: { 猫: 1, 狗: 1 }, householdsWithPets: 1, festivals: { 春节: 2 },
      householdsWithServiceNeeds: 1, movedInThisYear: 1, changesThisYear: 7,
    });
  });

  it('§0: the CSV quotes what needs quoting and opens in a spreadsheet (BOM, CRLF)', () => {
    const csv = archiveSummaryCsv(summariseArchive(2026, [household({ occupation: '工程师, "高级"' })], 0));
    expect(csv.startsWith('\ufeffsection,key,count\r\n')).toBe(true);
    expect(csv).toContain('occupations,"工程师, ""高级""",1\r\n');
  });
});

describe('request deadlines at the documents\' defaults', () => {
  it('O1: rectification must start within 2 days of the finding (as R7)', () => {
    expect(rectificationStartBy(DEFAULT_POLICY, '2026-11-22T08:00:00Z').toISOString()).toBe(new Date(Date.parse('2026-11-22T08:00:00Z') + 2 * DAY).toISOString());
  });
  it('I3: the promised reply time is the deadline; without one, the policy default', () => {
    expect(replyBy(DEFAULT_POLICY, '2026-11-22T08:00:00Z', '2026-11-22T10:00:00Z').toISOString()).toBe('2026-11-22T10:00:00.000Z');
    expect(replyBy(DEFAULT_POLICY, '2026-11-22T08:00:00Z').toISOString()).toBe('2026-11-23T08:00:00.000Z');
  });
});
