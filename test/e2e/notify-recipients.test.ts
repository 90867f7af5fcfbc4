/**
 * Who a notification reaches (activities/notify.ts), on a real Postgres and a real SMTP server:
 * named staff, staff by role — butlers only of the case's area — and the household's contacts
 * that have an e-mail address; never an inactive member of staff; each mail once per recipient.
 */
import { createNotifyActivities } from '../../activities/notify';
import type { ActivityDeps } from '../../activities/deps';
import type { Orm } from '../../db/orm';
import { createMailer } from '../../worker';
import { seededOrm } from '../helpers/stack';
import { startSmtpCapture } from '../helpers/smtp';

let orm: Orm;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let mailer: ReturnType<typeof createMailer>;
let notify: ReturnType<typeof createNotifyActivities>['notify'];

beforeAll(async () => {
  orm = await seededOrm();
  smtp = await startSmtpCapture();
  mailer = createMailer(smtp.url);
  ({ notify } = createNotifyActivities({ orm, mailer, config: { MAIL_FROM: 'test <centre@test.local>', TEMPORAL_NAMESPACE: 'default' }, clock: () => new Date() } as ActivityDeps));
});
afterAll(async () => {
  mailer?.close();
  await smtp?.close();
  await orm?.close(true);
});

const sql = <T>(query: string, params: unknown[] = []) => orm.em.fork().getConnection().execute<T[]>(query, params);
let step = 0;
/** Sends one notification and returns who received it, in the order it went out. */
async function recipientsOf(input: { staffIds?: string[]; roles?: ('butler' | 'supervisor' | 'callcenter')[]; areaId?: string; householdId?: string }): Promise<string[]> {
  const key = `repair-NR:${++step}`;
  await notify({ idempotencyKey: key, propertyId: 'P001', caseId: 'NR', template: 'dispatchCopy', data: { caseId: 'NR', room: '1-1-301', classification: 'general' }, ...input });
  const rows = await sql<{ recipient_email: string }>(`select recipient_email from notification where idempotency_key like ? and status = 'sent' order by id`, [`${key}:%`]);
  return rows.map((r) => r.recipient_email);
}

describe('who a notification reaches', () => {
  it("R2: the area's butler gets the copy, not the other area's; named staff get theirs", async () => {
    expect(await recipientsOf({ roles: ['butler'], areaId: 'A1' })).toEqual(['s-bt1@demo.wuye.local']);
    expect(await recipientsOf({ roles: ['butler'], areaId: 'A2' })).toEqual(['s-bt2@demo.wuye.local']);
    expect(await recipientsOf({ staffIds: ['S-EN2'], roles: ['supervisor'] })).toEqual(['s-en2@demo.wuye.local', 's-sv1@demo.wuye.local']);
    expect(smtp.mails.filter((m) => m.to.includes('s-bt1@demo.wuye.local'))).toHaveLength(1);
  });

  it("R3: the household's contacts with an e-mail address are told; one without is skipped", async () => {
    const [household] = await sql<{ id: string }>(`select id from household where room = '1-1-301'`);
    await sql(`insert into household_contact (household_id, name, phone, email, relation, "primary") values (?, '家人', '13900000000', null, 'family', false), (?, '租户', '13900000001', 'tenant-301@example.com', 'tenant', false)`, [household.id, household.id]);
    expect(await recipientsOf({ householdId: household.id })).toEqual(['owner-1-1-301@demo.wuye.local', 'tenant-301@example.com']);
  });

  it('an inactive member of staff is not mailed', async () => {
    await sql(`update staff set active = false where id = 'S-BT1'`);
    try {
      expect(await recipientsOf({ roles: ['butler'], areaId: 'A1', staffIds: ['S-BT1', 'S-EN1'] })).toEqual(['s-en1@demo.wuye.local']);
    } finally {
      await sql(`update staff set active = true where id = 'S-BT1'`);
    }
  });

  it("R5: the customer's appointment reminder reaches the household; the area's butler gets the staff notice instead", async () => {
    const [household] = await sql<{ id: string }>(`select id from household where room = '1-1-302'`);
    const key = `repair-NR:${++step}`;
    await notify({ idempotencyKey: key, propertyId: 'P001', caseId: 'NR5', householdId: household.id, roles: ['butler'], areaId: 'A1', template: 'appointmentReminder', data: { caseId: 'NR5', room: '1-1-302', appointmentAt: '2026-11-24T02:00:00.000Z' } });
    const rows = await sql<{ recipient_email: string; template: string; subject: string }>(`select recipient_email, template, subject from notification where idempotency_key like ? order by id`, [`${key}:%`]);
    expect(rows.map((r) => [r.recipient_email, r.template])).toEqual([
      ['s-bt1@demo.wuye.local', 'appointmentNotice'],
      ['owner-1-1-302@demo.wuye.local', 'appointmentReminder'],
    ]);
    const mailTo = (address: string) => smtp.mails.find((m) => m.to.includes(address) && m.subject.includes('NR5'))!;
    expect(mailTo('owner-1-1-302@demo.wuye.local').text).toContain('请安排家中有人');
    expect(mailTo('s-bt1@demo.wuye.local').text).not.toContain('请安排家中有人');
    expect(mailTo('s-bt1@demo.wuye.local').text).toContain('已提醒客户');
  });

  it("mails are written in the property's language: English when it is set, zh-CN otherwise", async () => {
    await recipientsOf({ staffIds: ['S-EN1'] });
    expect(smtp.mails.at(-1)!.subject).toMatch(/^【报修跟进】NR/);
    await sql(`update property set language = 'en' where id = 'P001'`);
    try {
      await recipientsOf({ staffIds: ['S-EN1'] });
      const mail = smtp.mails.at(-1)!;
      expect(mail.subject).toMatch(/^\[Repair to follow\] NR/);
      expect(mail.text).toContain('class: general repair');
      expect(mail.text).not.toMatch(/[\u4e00-\u9fff]/);
    } finally {
      await sql(`update property set language = 'zh-CN' where id = 'P001'`);
    }
  });

  it("C3: with the 8080 centre, the property's group complaint contact is told; without one set, only the centre", async () => {
    expect(await recipientsOf({ roles: ['callcenter'] })).toEqual(['s-cc1@demo.wuye.local']);
    await sql(`update property set group_email = 'complaints@group.example' where id = 'P001'`);
    try {
      expect(await recipientsOf({ roles: ['callcenter', 'supervisor'] })).toEqual(['complaints@group.example', 's-cc1@demo.wuye.local', 's-sv1@demo.wuye.local']);
      expect(await recipientsOf({ roles: ['supervisor'] })).toEqual(['s-sv1@demo.wuye.local']);
    } finally {
      await sql(`update property set group_email = null where id = 'P001'`);
    }
  });
});
