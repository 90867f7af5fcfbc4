/** domain/archive.ts: how an archive change is audited and how the yearly summary counts (pure). */
import {
  archiveSummaryCsv,
  diffFields,
  isOccupied,
  maySearchByPersonalData,
  needsOpenOrderCheck,
  PERSONAL_CONTACT_FIELDS,
  searchedPhoneDigits,
  seesHouseholdComplaints,
  seesPersonalData,
  summariseArchive,
} from '../../domain/archive';
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

describe('who sees what of a household', () => {
  it('§0: the service desk sees names and phones; an engineer only with an open work order there; nobody else', () => {
    for (const role of ['frontdesk', 'butler', 'supervisor', 'manager', 'callcenter'] as const) {
      expect(seesPersonalData([role], false)).toBe(true);
      expect(maySearchByPersonalData([role])).toBe(true);
      expect(needsOpenOrderCheck([role])).toBe(false);
    }
    expect(seesPersonalData(['engineer'], false)).toBe(false);
    expect(seesPersonalData(['engineer'], true)).toBe(true);
    expect(needsOpenOrderCheck(['engineer'])).toBe(true);
    expect(maySearchByPersonalData(['engineer'])).toBe(false);
    for (const role of ['hr', 'audit'] as const) {
      expect(seesPersonalData([role], true)).toBe(false);
      expect(maySearchByPersonalData([role])).toBe(false);
    }
  });

  it('C2: an engineer alone reads no complaints on a household page; an engineer who is also a butler does', () => {
    expect(seesHouseholdComplaints(['engineer'])).toBe(false);
    expect(seesHouseholdComplaints(['engineer', 'butler'])).toBe(true);
    expect(seesHouseholdComplaints(['frontdesk'])).toBe(true);
  });

  it('§0: occupied between the move-in and the move-out, the move-out day itself vacant', () => {
    expect(isOccupied(null, null, '2026-12-05')).toBe(false);
    expect(isOccupied('2026-12-06', null, '2026-12-05')).toBe(false);
    expect(isOccupied('2026-12-05', null, '2026-12-05')).toBe(true);
    expect(isOccupied('2026-01-01', '2026-12-05', '2026-12-05')).toBe(false);
    expect(isOccupied('2026-01-01', '2026-12-06', '2026-12-05')).toBe(true);
  });

  it('a phone is searched by its digits, a typed +86 or 0086 dropped', () => {
    expect(searchedPhoneDigits('+86 138-0013')).toBe('1380013');
    expect(searchedPhoneDigits('0086 13800138000')).toBe('13800138000');
    expect(searchedPhoneDigits('8613800138000')).toBe('13800138000');
    expect(searchedPhoneDigits('861')).toBe('861');
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
