import { DAY, DEFAULT_POLICY, HOUR } from '../../domain/policy';
import {
  nextCallFrom,
  nonConformityDueAt,
  rainCounts,
  rainFallbackAt,
  rainfallMoment,
  RETURN_VISIT_METHODS,
  returnVisitCallSchema,
  returnVisitDue,
  returnVisitDueAfterRain,
} from '../../domain/return-visit';

/** A local time in Asia/Shanghai, e.g. shanghai('2026-11-22 10:00'). */
const shanghai = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const completedAt = shanghai('2026-11-22 10:00');
type Subject = Omit<Parameters<typeof returnVisitDue>[1], 'completedAt' | 'underWarranty'> & { underWarranty?: boolean };
const due = (subject: Subject) => returnVisitDue(DEFAULT_POLICY, { underWarranty: false, ...subject, completedAt });
const by = (ms: number) => ({ kind: 'by', dueAt: new Date(completedAt.getTime() + ms) });

describe('when a return visit is due (R9), with the company documents’ numbers', () => {
  it('R9: an urgent water repair is revisited within 24 h', () => {
    expect(due({ classification: 'urgent', tags: ['water'] })).toEqual(by(24 * HOUR));
    expect(due({ classification: 'urgent', tags: ['water'] })).toEqual({ kind: 'by', dueAt: shanghai('2026-11-23 10:00') });
  });

  it('R9: an urgent electricity repair is revisited within 24 h', () => {
    expect(due({ classification: 'urgent', tags: ['electricity'] })).toEqual(by(24 * HOUR));
  });

  it('R9: a general water repair is not pressing: within 2 days', () => {
    expect(due({ classification: 'general', tags: ['water'] })).toEqual(by(2 * DAY));
  });

  it('R9: a repair involving neighbours is revisited within 24 h, whatever its class', () => {
    expect(due({ classification: 'general', tags: ['neighbour'] })).toEqual(by(24 * HOUR));
    expect(due({ classification: 'major', tags: ['neighbour'] })).toEqual(by(24 * HOUR));
  });

  it('R9: a dangerous repair (burst pipe, indoor flooding) is revisited within 24 h', () => {
    expect(due({ classification: 'general', tags: ['dangerous'] })).toEqual(by(24 * HOUR));
  });

  it('R9: a leak repair under warranty (a fact recorded at intake) waits for the first rainy day; a fallback 30 days after the repair', () => {
    expect(due({ classification: 'general', tags: ['leak'], underWarranty: true })).toEqual({ kind: 'after-rain' });
    expect(rainFallbackAt(DEFAULT_POLICY, completedAt)).toEqual(shanghai('2026-12-22 10:00'));
  });

  it('R9: a leak repair outside the warranty, or not recorded as under it, is revisited within 2 days', () => {
    expect(due({ classification: 'general', tags: ['leak'], underWarranty: false })).toEqual(by(2 * DAY));
    expect(due({ classification: 'general', tags: ['leak'] })).toEqual(by(2 * DAY));
  });

  it('R9: a dangerous leak does not wait for the weather', () => {
    expect(due({ classification: 'urgent', tags: ['leak', 'dangerous'], underWarranty: true })).toEqual(by(24 * HOUR));
  });

  it('R9: any other repair is revisited within 2 days', () => {
    expect(due({ classification: 'general', tags: [] })).toEqual(by(2 * DAY));
    expect(due({ classification: 'major', tags: [] })).toEqual({ kind: 'by', dueAt: shanghai('2026-11-24 10:00') });
  });

  it('R9: after the rain a leak repair is due within 2 days of it', () => {
    expect(returnVisitDueAfterRain(DEFAULT_POLICY, shanghai('2026-11-25 16:00'))).toEqual(shanghai('2026-11-27 16:00'));
  });

  it('R9: only rain after the repair counts', () => {
    expect(rainCounts(shanghai('2026-11-22 09:00'), completedAt)).toBe(false);
    expect(rainCounts(shanghai('2026-11-22 10:00'), completedAt)).toBe(true);
  });

  it('R9: a rainy day reported today counts from now; an earlier day from its end, local time', () => {
    const now = shanghai('2026-11-25 16:30');
    expect(rainfallMoment('2026-11-25', now, 'Asia/Shanghai')).toEqual(now);
    expect(rainfallMoment('2026-11-23', now, 'Asia/Shanghai')).toEqual(shanghai('2026-11-24 00:00'));
    // 00:30 in Shanghai is still the previous day in UTC: the local date decides.
    expect(rainfallMoment('2026-11-25', shanghai('2026-11-25 00:30'), 'Asia/Shanghai')).toEqual(shanghai('2026-11-25 00:30'));
  });
});

describe('calls and their results (V1, V2, V4)', () => {
  it('V1: the five methods of a return visit', () => {
    expect(RETURN_VISIT_METHODS).toEqual(['phone', 'home-visit', 'on-site-check', 'online-reply', 'questionnaire']);
    for (const method of RETURN_VISIT_METHODS) expect(returnVisitCallSchema().safeParse({ answered: true, method, satisfied: true }).success).toBe(true);
    expect(returnVisitCallSchema().safeParse({ answered: true, method: 'sms', satisfied: true }).success).toBe(false);
  });

  it('V1: an answered visit says whether the customer is satisfied; an unanswered one has no verdict', () => {
    expect(returnVisitCallSchema().safeParse({ answered: true, method: 'phone' }).success).toBe(false);
    expect(returnVisitCallSchema().safeParse({ answered: false, method: 'phone', satisfied: true }).success).toBe(false);
    expect(returnVisitCallSchema().safeParse({ answered: false, method: 'phone' }).success).toBe(true);
  });

  it('V3: a new need names its repair class; a major one its appointment (R5)', () => {
    const call = (newNeed: Record<string, unknown>) => returnVisitCallSchema().safeParse({ answered: true, method: 'phone', satisfied: true, newNeed });
    expect(call({ description: '阳台推拉门关不严', classification: 'general' }).success).toBe(true);
    expect(call({ description: '外墙翻新', classification: 'major' }).success).toBe(false);
    expect(call({ description: '外墙翻新', classification: 'major', appointmentAt: '2026-11-28T09:00:00+08:00' }).success).toBe(true);
  });

  it('V2: after an unanswered call the next is at a different time of day, 3 h later', () => {
    expect(nextCallFrom(DEFAULT_POLICY, shanghai('2026-11-22 10:00'))).toEqual(shanghai('2026-11-22 13:00'));
  });

  it('V4: a non-conformity is to be put right — the customer revisited and satisfied — within 3 days', () => {
    const foundAt = shanghai('2026-11-23 09:00');
    expect(nonConformityDueAt(DEFAULT_POLICY, foundAt)).toEqual(shanghai('2026-11-26 09:00'));
  });
});
