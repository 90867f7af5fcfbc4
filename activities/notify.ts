import { createHash } from 'node:crypto';
import { activityInfo, log } from '@temporalio/activity';
import { hostname } from 'node:os';
import type { Role } from '../domain/people';
import type { ActivityDeps } from './deps';
import { issueCaseLink } from '../db/case-links';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '../domain/words';
import { FOR_STAFF_INSTEAD, render, type MailContent, type MailData, type TemplateName } from './templates';

/**
 * The activity's logger; outside an activity (the worker's start-up check sends through `notify`
 * too) a JSON line on stderr.
 */
function warn(message: string, meta: Record<string, unknown>): void {
  try {
    log.warn(message, meta);
  } catch {
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: message, ...meta })}\n`);
  }
}

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
  /** C3: the heads of these departments (domain/complaint.ts DEPARTMENTS); the supervisors when a department has none. */
  departments?: string[];
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

/** How long another claimer's unfinished send keeps a shared mail from being sent again (longer than any SMTP attempt). */
const CLAIM_LEASE_MINUTES = 10;

/** The claimer of a mail sent outside a workflow (the worker's start-up check). */
const PROCESS_CLAIMER = `process:${hostname()}:${process.pid}`;

/** The workflow a notification activity runs for: its retries and resends are one claimer. */
function currentClaimer(): string | undefined {
  try {
    return activityInfo().workflowExecution?.workflowId;
  } catch {
    return undefined; // not in an activity
  }
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
 * exactly once — docs/operations.md, "Exactly-once mail"). An SMTP failure is thrown, for the activity to retry with backoff.
 */
export async function deliverOnce(
  { orm, mailer, config }: Pick<ActivityDeps, 'orm' | 'mailer' | 'config'>,
  notice: {
    key: string;
    caseId?: string;
    recipient: { id: string; email: string };
    template: string;
    mail: OutgoingMail;
    /** Who sends it; by default the workflow of the calling activity (its retries and resends are one claimer), else this process. */
    claimer?: string;
  },
): Promise<'sent' | 'skipped' | 'rejected'> {
  // Plain SQL, one statement per step: this runs for every mail the system sends, and the entity
  // manager's insert, load and two flushes cost several times the CPU (bench/RESULTS.md).
  const db = orm.em.getConnection();
  const { key, recipient, mail } = notice;
  const messageId = messageIdFor(key, config.MAIL_FROM);
  // Claim the row (new, or not yet sent) and mark it `sending` with its Message-ID; a row already
  // `sent` (or refused for good) is left alone and returns nothing. So is a row another claimer is
  // sending — a mail several cases share, raced by two of them — unless that claim is older than
  // CLAIM_LEASE (its claimer gone); the claimer's own retries resend it.
  const claimed = await db.execute<{ attempts: number }[]>(
    `insert into notification (idempotency_key, case_id, recipient_id, recipient_email, template, subject, status, attempts, message_id, claimed_by, claimed_at, created_at)
     values (?, ?, ?, ?, ?, ?, 'sending', 1, ?, ?, now(), now())
     on conflict (idempotency_key) do update set status = 'sending', attempts = notification.attempts + 1, message_id = excluded.message_id,
         claimed_by = excluded.claimed_by, claimed_at = now()
       where notification.status not in ('sent', 'rejected')
         and (notification.claimed_by is not distinct from excluded.claimed_by or notification.claimed_at is null
              or notification.claimed_at < now() - interval '${CLAIM_LEASE_MINUTES} minutes')
     returning attempts`,
    [key, notice.caseId ?? null, recipient.id, recipient.email, notice.template, mail.subject, messageId, notice.claimer ?? currentClaimer() ?? PROCESS_CLAIMER],
  );
  if (claimed.length === 0) return 'skipped';
  if (claimed[0].attempts > 1) warn('resending a notification whose last send was not confirmed', { idempotencyKey: key });
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
    const reason = error instanceof Error ? error.message : String(error);
    if (recipientRefused(error)) {
      // No retry makes a server accept an address it refused: the row says so, and the step's other mails go on.
      await db.execute(`update notification set status = 'rejected', last_error = ? where idempotency_key = ?`, [reason, key]);
      warn('the mail server refused a recipient; not retried', { idempotencyKey: key, template: notice.template });
      return 'rejected';
    }
    await db.execute('update notification set last_error = ? where idempotency_key = ?', [reason, key]);
    throw error; // retried with backoff: an SMTP outage loses nothing
  }
  await db.execute(`update notification set status = 'sent', sent_at = now(), last_error = null where idempotency_key = ?`, [key]);
  return 'sent';
}

/**
 * The SMTP server refused the recipient's address for good (a 5xx answer to RCPT TO, or an address
 * nodemailer cannot send to). Everything else — the server down, slow, or refusing us for a while
 * (4xx), a login that fails until the configuration is fixed — is worth retrying.
 */
export function recipientRefused(error: unknown): boolean {
  const e = error as { code?: string; responseCode?: number; command?: string };
  return e.code === 'EENVELOPE' || (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && e.command === 'RCPT TO');
}

function asLocale(language: string | null | undefined): Locale {
  return (LOCALES as readonly string[]).includes(language ?? '') ? (language as Locale) : DEFAULT_LOCALE;
}

/** The language a property's mails are written in (docs/messages.md); zh-CN for a property not found. */
export async function propertyLocale(orm: ActivityDeps['orm'], propertyId: string): Promise<Locale> {
  const [row] = await orm.em.getConnection().execute<{ language: string }[]>('select language from property where id = ?', [propertyId]);
  return asLocale(row?.language);
}

export function createNotifyActivities({ orm, mailer, config }: ActivityDeps) {
  /**
   * Who gets the mail: named staff, staff by role (butlers only of the area), the household's
   * contacts with e-mail; with the 8080 centre (`callcenter`), the property's group contact.
   */
  async function recipients(input: NotifyInput): Promise<{ people: { id: string; email: string; contact: boolean }[]; locale: Locale }> {
    // The property's active staff (with the area's butler), the household's contacts with e-mail
    // and the property's language, in one round trip: mails go out at many steps of every case.
    const people = await orm.em.getConnection().execute<{ contact: boolean; id: string; email: string; roles: string[]; area_ids: string[]; departments: string[]; butler_id: string | null; language: string | null }[]>(
      `select contact, id, email, roles, area_ids, departments, butler_id, (select language from property where id = ?) as language from (
         select false as contact, s.id, s.email, s.roles, s.area_ids, s.departments, (select butler_id from area where id = ?) as butler_id, 0::bigint as contact_no
           from staff s where s.property_id = ? and s.active
         union all
         -- C3: the group's complaint contact hears what the 8080 centre hears.
         select false, 'GROUP', p.group_email, '["callcenter"]'::jsonb, '[]'::jsonb, '[]'::jsonb, null, 0::bigint from property p where p.id = ? and p.group_email is not null
         union all
         select true, 'H' || c.id, c.email, '[]'::jsonb, '[]'::jsonb, '[]'::jsonb, null, c.id from household_contact c where c.household_id = ? and c.email is not null
       ) people order by contact, contact_no, id`,
      [input.propertyId, input.areaId ?? null, input.propertyId, input.propertyId, input.householdId ?? null],
    );
    const departments = input.departments ?? [];
    // A department nobody heads: its complaints go to the supervisors (C3).
    const headless = departments.filter((d) => !people.some((s) => !s.contact && s.departments.includes(d)));
    const roles = [...(input.roles ?? []), ...(headless.length > 0 ? (['supervisor'] as Role[]) : [])];
    const chosen = people.filter((s) => {
      if (s.contact) return true;
      if (input.staffIds?.includes(s.id)) return true;
      if (departments.some((d) => s.departments.includes(d))) return true;
      return roles.some((role) => {
        if (!s.roles.includes(role)) return false;
        if (role !== 'butler' || !input.areaId) return true;
        return s.butler_id === s.id || s.area_ids.includes(input.areaId);
      });
    });
    return { people: chosen.map((s) => ({ id: s.id, email: s.email, contact: s.contact })), locale: asLocale(people[0]?.language) };
  }

  /**
   * The links a person opens from the mail: the work order on the engineer's phone (not the Temporal
   * UI, which has no accept button and is not reachable from the field), and the resident's personal
   * link to their case, minted here so that it is in no workflow history.
   */
  async function consoleLinks(input: NotifyInput): Promise<MailData> {
    const base = (config.PUBLIC_BASE_URL ?? 'http://localhost:3000').replace(/\/$/, '');
    if (input.template === 'dispatch' && input.caseId) return { ...input.data, orderUrl: `${base}/console/orders/${encodeURIComponent(input.caseId)}` } as MailData;
    if (input.template === 'caseProgress' && input.caseId) return { ...input.data, progressUrl: `${base}/c/${await issueCaseLink(orm, input.caseId)}` } as MailData;
    return input.data;
  }

  const activities = {
    /** One mail per recipient, each delivered once (`deliverOnce`). */
    async notify(input: NotifyInput): Promise<{ sent: number; skipped: number }> {
      const link =
        input.workflowId && config.TEMPORAL_UI_URL
          ? `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(input.workflowId)}`
          : undefined;
      const data = { link, apiBase: `${config.PUBLIC_BASE_URL}/api/v1`, ...(await consoleLinks(input)) } as MailData;
      const { people, locale } = await recipients(input);
      // A mail written to the household reaches a staff member among the recipients as the staff
      // notice meant for them, or not at all (FOR_STAFF_INSTEAD).
      const staffTemplate = FOR_STAFF_INSTEAD[input.template];
      const rendered = new Map<TemplateName, MailContent>();
      const contentOf = (template: TemplateName) => rendered.get(template) ?? rendered.set(template, render(template, data, locale)).get(template)!;
      if (people.length === 0) {
        // A missing recipient is a data problem no retry can fix; the case must go on regardless.
        warn('nobody to notify', { template: input.template, roles: input.roles, staffIds: input.staffIds });
        return { sent: 0, skipped: 0 };
      }
      let sent = 0;
      let skipped = 0;
      for (const person of people) {
        const template = person.contact || staffTemplate === undefined ? input.template : staffTemplate;
        if (template === null) continue;
        const content = contentOf(template);
        const outcome = await deliverOnce(
          { orm, mailer, config },
          {
            key: `${input.idempotencyKey}:${person.id}`,
            caseId: input.caseId,
            recipient: { id: person.id, email: person.email },
            template,
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
