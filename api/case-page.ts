/**
 * The resident's case page `/c/:token` (docs/console.md): plain server-rendered HTML like the
 * survey page, zh-CN first (English with `?lang=en`), readable on any phone without a script. The
 * token from the household's mail opens that one case: its status, the promised times and the
 * appointment, the engineer's arrival, each step so far, and once the work is done the satisfaction
 * question. It shows no staff member's name, number or phone. A wrong or expired link gets a
 * friendly page; every client address is rate limited.
 */
import { escapeHtml, residentPage } from './resident-html';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { caseOfLink } from '../db/case-links';
import type { Orm } from '../db/orm';
import { displayTime, DEFAULT_TIME_ZONE } from '../domain/calendar';
import { caseViewQuery, type CaseView } from '../workflows/messages';
import { CASE_PAGE_STATUS_WORDS, CASE_PAGE_STEP_WORDS, CASE_PAGE_WORDS, LANGUAGE_NAMES, otherLocale } from '../domain/page-words';
import type { Locale, Words } from '../domain/words';
import { TokenBuckets } from './rate-limit';

const escape = escapeHtml;

/** This page's own parts; the shell is api/resident-html.ts. */
const STYLE = `h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
.card{background:#fff;border:1px solid #d0d4db;border-radius:.5rem;padding:.75rem 1rem;margin:.5rem 0}
.status{font-size:1.15rem;font-weight:600;color:#0e42d2}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0}
dt{color:#4e5969}
dd{margin:0;font-weight:600}
ol{padding-left:1.25rem;margin:0}
li{margin:.25rem 0}
time{color:#4e5969;font-size:.9rem;margin-right:.5rem}
.question{font-size:1.1rem;margin-top:1.25rem}
.choice{display:flex;align-items:center;gap:.75rem;background:#fff;border:1px solid #d0d4db;border-radius:.5rem;padding:.75rem;margin:.4rem 0;min-height:2.75rem}
.choice input{width:1.4rem;height:1.4rem}
textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #d0d4db;border-radius:.5rem;min-height:4rem}
a{color:#0e42d2}`;

const page = (lang: Locale, title: string, body: string): string => residentPage(lang, title, STYLE, body);

export interface CasePageDeps {
  orm: Orm;
  temporal: Client;
  logger: Logger;
  rate?: { perSecond: number; burst: number };
}

interface CaseFacts {
  id: string;
  workflow_id: string;
  kind: string;
  status: string;
  room: string | null;
  closed_at: string | null;
}

/** The steps a resident sees: the case's own actions, never who took them. */
const RESIDENT_VISIBLE = new Set(Object.keys(CASE_PAGE_STEP_WORDS));

export function mountCasePage(app: Express, deps: CasePageDeps): void {
  const buckets = new TokenBuckets(deps.rate ?? { perSecond: 1, burst: 30 });
  const langOf = (req: Request): Locale => (req.query.lang === 'en' ? 'en' : 'zh-CN');
  // Numbers only (月/日 时:分), so the same form reads in both languages.
  const when = (_lang: Locale, iso: string) => displayTime(iso, DEFAULT_TIME_ZONE, 'short');

  const send = (res: Response, status: number, lang: Locale, title: string, body: string) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.status(status).type('html').send(page(lang, title, body));
  };
  const notice = (res: Response, status: number, lang: Locale, kind: 'notFound' | 'expired' | 'tooMany' | 'failed') => {
    const t = CASE_PAGE_WORDS[lang];
    const body = { notFound: t.notFoundBody, expired: t.expiredBody, tooMany: t.tooManyBody, failed: t.failedBody }[kind];
    send(res, status, lang, t[kind], `<h1>${escape(t[kind])}</h1><p>${escape(body)}</p>`);
  };
  const limit: RequestHandler = (req, res, next) => {
    const result = buckets.take(`ip:${req.ip}`);
    if (result.allowed) return next();
    res.setHeader('Retry-After', String(result.retryAfterSeconds));
    notice(res, 429, langOf(req), 'tooMany');
  };
  const guarded =
    (handler: (req: Request, res: Response) => Promise<void>): RequestHandler =>
    async (req, res) => {
      try {
        await handler(req, res);
      } catch (error) {
        deps.logger.error({ err: error instanceof Error ? { type: error.name, message: error.message } : String(error), route: 'case-page' }, 'case page failed');
        if (!res.headersSent) notice(res, 503, langOf(req), 'failed');
      }
    };

  const find = async (req: Request, res: Response): Promise<CaseFacts | undefined> => {
    const lang = langOf(req);
    const raw = String(req.params.token ?? '');
    if (!/^[A-Za-z0-9_-]{32,64}$/.test(raw)) return void notice(res, 404, lang, 'notFound');
    const link = await caseOfLink(deps.orm, raw);
    if ('invalid' in link) return void notice(res, link.invalid === 'expired' ? 410 : 404, lang, link.invalid === 'expired' ? 'expired' : 'notFound');
    const [found] = await deps.orm.em
      .getConnection()
      .execute<CaseFacts[]>('select id, workflow_id, kind, status, room, closed_at from service_case where id = ?', [link.caseId]);
    if (!found) return void notice(res, 404, lang, 'notFound');
    return found;
  };

  const render = async (req: Request, res: Response, found: CaseFacts, status = 200, flash?: string) => {
    const lang = langOf(req);
    const t = CASE_PAGE_WORDS[lang];
    const pick = (words: Words | undefined, fallback: string) => words?.[lang] ?? fallback;
    const em = deps.orm.em.fork();
    const [events, [feedback]] = await Promise.all([
      em.getConnection().execute<{ action: string; at: string; payload: Record<string, unknown> }[]>('select action, at, payload from case_event where case_id = ? order by seq', [found.id]),
      em.getConnection().execute<{ satisfied: boolean }[]>('select satisfied from case_feedback where case_id = ?', [found.id]),
    ]);
    let live: CaseView | undefined;
    if (!found.closed_at) {
      live = await deps.temporal.workflow
        .getHandle(found.workflow_id)
        .query(caseViewQuery)
        .catch((error: unknown) => {
          if (error instanceof WorkflowNotFoundError) return undefined;
          throw error;
        });
    }
    const statusNow = live?.status ?? found.status;
    const iso = (v: string) => (em.getPlatform().parseDate(v) as Date).toISOString();
    const promises = (live?.deadlines ?? [])
      .filter((d) => d.state === 'pending' && (d.name === 'arrive' || d.name === 'repair'))
      .map((d) => `<dt>${escape(d.name === 'repair' ? t.repairBy : d.rule === 'R5' || d.rule === 'R6' ? t.appointment : t.arriveBy)}</dt><dd>${escape(when(lang, d.dueAt))}</dd>`);
    const arrived = [...events].reverse().find((e) => e.action === 'arrive');
    const steps = events
      .filter((e) => RESIDENT_VISIBLE.has(e.action))
      .map((e) => {
        const extra = e.action === 'signOff' ? (e.payload.accepted ? t.signOffAccepted : t.signOffRejected) : '';
        return `<li><time datetime="${iso(e.at)}">${escape(when(lang, iso(e.at)))}</time>${escape(pick(CASE_PAGE_STEP_WORDS[e.action], e.action))}${escape(extra)}</li>`;
      });
    const done = ['signed_off', 'awaiting_return_visit', 'closed'].includes(statusNow);
    const self = `/c/${encodeURIComponent(String(req.params.token))}`;
    const question = !done
      ? ''
      : feedback
        ? `<h2>${escape(t.question)}</h2><p class="card">${escape(flash ?? t.answered(feedback.satisfied))}</p>`
        : `<form method="post" action="${self}${lang === 'en' ? '?lang=en' : ''}">
<fieldset><legend class="question">${escape(t.question)}</legend>
<label class="choice" for="sat-yes"><input type="radio" id="sat-yes" name="satisfied" value="yes" required> <span>${escape(t.yes)}</span></label>
<label class="choice" for="sat-no"><input type="radio" id="sat-no" name="satisfied" value="no"> <span>${escape(t.no)}</span></label>
</fieldset>
<label class="block" for="comment">${escape(t.comment)}</label>
<textarea id="comment" name="comment" maxlength="1000"></textarea>
<button type="submit">${escape(t.submit)}</button>
</form>`;
    send(
      res,
      status,
      lang,
      t.title(found.id),
      `<nav><a href="${self}${lang === 'zh-CN' ? '?lang=en' : ''}" hreflang="${otherLocale(lang)}">${LANGUAGE_NAMES[otherLocale(lang)]}</a></nav>
<h1>${escape(t.title(found.id))}</h1>
<div class="card"><dl><dt>${escape(t.room)}</dt><dd>${escape(found.room ?? '—')}</dd><dt>${escape(t.status)}</dt><dd class="status" data-status="${escape(statusNow)}">${escape(pick(CASE_PAGE_STATUS_WORDS[statusNow as keyof typeof CASE_PAGE_STATUS_WORDS], statusNow))}</dd>
${arrived ? `<dt>${escape(t.arrived)}</dt><dd>${escape(when(lang, iso(arrived.at)))}</dd>` : ''}</dl></div>
<h2>${escape(t.promises)}</h2>
<div class="card">${promises.length ? `<dl>${promises.join('')}</dl>` : `<p>${escape(t.none)}</p>`}</div>
<h2>${escape(t.steps)}</h2>
<div class="card"><ol>${steps.join('\n')}</ol></div>
${question}
<p class="note">${escape(t.note)}</p>`,
    );
  };

  app.get(
    '/c/:token',
    limit,
    guarded(async (req, res) => {
      const found = await find(req, res);
      if (found) await render(req, res, found);
    }),
  );

  const parseForm = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  app.post(
    '/c/:token',
    limit,
    parseForm,
    guarded(async (req, res) => {
      const found = await find(req, res);
      if (!found) return;
      const fields = (req.body ?? {}) as Record<string, unknown>;
      const satisfied = fields.satisfied === 'yes' ? true : fields.satisfied === 'no' ? false : undefined;
      const comment = typeof fields.comment === 'string' ? fields.comment.trim().slice(0, 1000).replace(/\u0000/g, '') : '';
      if (satisfied === undefined) return render(req, res, found, 400);
      if (!['signed_off', 'awaiting_return_visit', 'closed'].includes(found.status)) return render(req, res, found, 409);
      // The first answer stands: a double submit, or a second member of the household, changes nothing.
      await deps.orm.em
        .getConnection()
        .execute('insert into case_feedback (case_id, satisfied, comment, answered_at) values (?, ?, ?, ?) on conflict (case_id) do nothing', [found.id, satisfied, comment || null, new Date()]);
      await render(req, res, found, 200, CASE_PAGE_WORDS[langOf(req)].thanks);
    }),
  );
}
