import { createHash } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { Role } from '../domain/people';
import type { ActivityDeps } from './deps';
import { render, type MailData, type TemplateName } from './templates';

export interface NotifyInput {
  /** workflowId + step; each recipient gets `${idempotencyKey}:${staffId}`. */
  idempotencyKey: string;
  /** For the Temporal UI link in the mail. */
  workflowId?: string;
  caseId?: string;
  propertyId: string;
  /** Named staff, and/or everyone with a role (butlers only of `areaId`). */
  staffIds?: string[];
  roles?: Role[];
  areaId?: string;
  /** The household's contacts with an e-mail address (the customer hears of promises and appointments). */
  householdId?: string;
  template: TemplateName;
  data: MailData;
}

/**
 * The Message-ID of a notification, derived from its idempotency key: every send of the same
 * notification carries the same one, so a resend after a crash is the same message to a mailbox.
 */
export function messageIdFor(idempotencyKey: string, mailFrom: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'service-centre.invalid';
  return `<${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40)}@${domain}>`;
}

export interface OutgoingMail {
  subject: string;
  text: string;
  html?: string;
  attachments?: { filename: string; content: string; contentType: string }[];
}

/**
 * One mail to one recipient, at most one message per key as the mailbox sees it. The notification
 * row (unique key) is claimed and marked `sending` with the mail's Message-ID before the SMTP
 * transaction, and `sent` after it; a retried activity skips what is `sent`. A worker that dies
 * between SMTP's 250 and the `sent` mark leaves a `sending` row: the retry sends it again with the
 * same Message-ID, so the mailbox holds one message (delivery is at least once, the message
 * exactly once — README). An SMTP failure is thrown, for the activity to retry with backoff.
 */
export async function deliverOnce(
  { orm, mailer, config }: Pick<ActivityDeps, 'orm' | 'mailer' | 'config'>,
  notice: { key: string; caseId?: string; recipient: { id: string; email: string }; template: string; mail: OutgoingMail },
): Promise<'sent' | 'skipped'> {
  // Plain SQL, one statement per step: this runs for every mail the system sends, and the entity
  // manager's insert, load and two flushes cost about four times the CPU.
  const db = orm.em.getConnection();
  const { key, recipient, mail } = notice;
  const messageId = messageIdFor(key, config.MAIL_FROM);
  // Claim the row (new, or not yet sent) and mark it `sending` with its Message-ID; a row already
  // `sent` is left alone and returns nothing.
  const claimed = await db.execute<{ attempts: number }[]>(
    `insert into notification (idempotency_key, case_id, recipient_id, recipient_email, template, subject, status, attempts, message_id, created_at)
     values (?, ?, ?, ?, ?, ?, 'sending', 1, ?, now())
     on conflict (idempotency_key) do update set status = 'sending', attempts = notification.attempts + 1, message_id = excluded.message_id
       where notification.status <> 'sent'
     returning attempts`,
    [key, notice.caseId ?? null, recipient.id, recipient.email, notice.template, mail.subject, messageId],
  );
  if (claimed.length === 0) return 'skipped';
  if (claimed[0].attempts > 1) log.warn('resending a notification whose last send was not confirmed', { idempotencyKey: key });
  try {
    await mailer.sendMail({
      from: config.MAIL_FROM,
      to: recipient.email,
      subject: mail.subject,
      text: mail.text,
      ...(mail.html ? { html: mail.html } : {}),
      ...(mail.attachments ? { attachments: mail.attachments } : {}),
      messageId,
      headers: { 'X-Idempotency-Key': key, ...(notice.caseId ? { 'X-Case-Id': notice.caseId } : {}) },
    });
  } catch (error) {
    await db.execute('update notification set last_error = ? where idempotency_key = ?', [error instanceof Error ? error.message : String(error), key]);
    throw error; // retried with backoff: an SMTP outage loses nothing
  }
  await db.execute(`update notification set status = 'sent', sent_at = now(), last_error = null where idempotency_key = ?`, [key]);
  return 'sent';
}

export function createNotifyActivities({ orm, mailer, config }: ActivityDeps) {
  /** Who gets the mail: named staff, staff by role (butlers only of the area), the household's contacts with e-mail. */
  async function recipients(input: NotifyInput): Promise<{ id: string; email: string }[]> {
    // The property's active staff (with the area's butler) and the household's contacts with
    // e-mail, in one round trip: mails go out at many steps of every case.
    const people = await orm.em.getConnection().execute<{ contact: boolean; id: string; email: string; roles: string[]; area_ids: string[]; butler_id: string | null }[]>(
      `select contact, id, email, roles, area_ids, butler_id from (
         select false as contact, s.id, s.email, s.roles, s.area_ids, (select butler_id from area where id = ?) as butler_id, 0::bigint as contact_no
           from staff s where s.property_id = ? and s.active
         union all
         select true, 'H' || c.id, c.email, '[]'::jsonb, '[]'::jsonb, null, c.id from household_contact c where c.household_id = ? and c.email is not null
       ) people order by contact, contact_no, id`,
      [input.areaId ?? null, input.propertyId, input.householdId ?? null],
    );
    const chosen = people.filter((s) => {
      if (s.contact) return true;
      if (input.staffIds?.includes(s.id)) return true;
      return (input.roles ?? []).some((role) => {
        if (!s.roles.includes(role)) return false;
        if (role !== 'butler' || !input.areaId) return true;
        return s.butler_id === s.id || s.area_ids.includes(input.areaId);
      });
    });
    return chosen.map((s) => ({ id: s.id, email: s.email }));
  }

  const activities = {
    /** One mail per recipient, each delivered once (`deliverOnce`). */
    async notify(input: NotifyInput): Promise<{ sent: number; skipped: number }> {
      const link =
        input.workflowId && config.TEMPORAL_UI_URL
          ? `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(input.workflowId)}`
          : undefined;
      const content = render(input.template, { link, ...input.data });
      const people = await recipients(input);
      if (people.length === 0) {
        // A missing recipient is a data problem no retry can fix; the case must go on regardless.
        log.warn('nobody to notify', { template: input.template, roles: input.roles, staffIds: input.staffIds });
        return { sent: 0, skipped: 0 };
      }
      let sent = 0;
      let skipped = 0;
      for (const person of people) {
        const outcome = await deliverOnce(
          { orm, mailer, config },
          {
            key: `${input.idempotencyKey}:${person.id}`,
            caseId: input.caseId,
            recipient: person,
            template: input.template,
            mail: { subject: content.subject, text: content.text },
          },
        );
        if (outcome === 'sent') sent++;
        else skipped++;
      }
      return { sent, skipped };
    },

    /**
     * Several notifications of one step (a work order and its copy to the butler) in one activity,
     * in order; a retry skips the mails already sent.
     */
    async notifyAll(inputs: NotifyInput[]): Promise<{ sent: number; skipped: number }> {
      const total = { sent: 0, skipped: 0 };
      for (const input of inputs) {
        const { sent, skipped } = await activities.notify(input);
        total.sent += sent;
        total.skipped += skipped;
      }
      return total;
    },
  };
  return activities;
}
