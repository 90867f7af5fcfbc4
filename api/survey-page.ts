/**
 * The resident's survey page `/s/:token` (docs/architecture.md §5): plain server-rendered HTML, outside the
 * staff API, that works on a phone, in zh-CN (English with `?lang=en`), with real labels. The token
 * is the only credential: it is looked up by its hash, works for one survey until its window closes
 * and only until the survey is answered. A bad, used or expired link gets a friendly page (404/410),
 * never an error dump; the answer goes to the survey workflow as an update under a fixed id, so a
 * double submit is one answer. Every client address is rate limited (the page has no API key).
 */
import { escapeHtml, residentPage } from './resident-html';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { surveyTokenHash } from '../db/secrets';
import { SurveyInvitation, SurveyToken } from '../db/entities';
import type { Orm } from '../db/orm';
import { SCORE_MAX, SCORE_MIN, surveyAnswerSchema, SURVEY_TOPICS, type SurveyAnswer, type SurveyTopic } from '../domain/survey';
import { TokenBuckets } from './rate-limit';
import { surveyAnswerUpdate } from '../workflows/survey-messages';
import { LANGUAGE_NAMES, otherLocale, SURVEY_PAGE_WORDS } from '../domain/page-words';
import type { Locale } from '../domain/words';

const escape = escapeHtml;

/** This page's own parts; the shell is api/resident-html.ts. */
const STYLE = `.score{display:flex;align-items:center;gap:.75rem;background:#fff;border:1px solid #d0d4db;border-radius:.5rem;padding:.75rem;margin:.4rem 0;min-height:2.75rem}
.score input{width:1.4rem;height:1.4rem}
textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #d0d4db;border-radius:.5rem;min-height:5rem}
.error{color:#b42318;font-weight:600}`;

const page = (lang: Locale, title: string, body: string): string => residentPage(lang, title, STYLE, body);

interface Found {
  token: { tokenHash: string; expiresAt: Date };
  invitation: { id: string; workflowId: string; room: string; month: string; topic: string; status: string; closesAt?: Date | null };
}

export interface SurveyPageDeps {
  orm: Orm;
  temporal: Client;
  logger: Logger;
  /** Per client address; default 20 at once, 1 a second after. */
  rate?: { perSecond: number; burst: number };
}

/** Mounts GET and POST /s/:token on `app` (listed in OPERATIONAL_ROUTES). */
export function mountSurveyPage(app: Express, deps: SurveyPageDeps): void {
  const buckets = new TokenBuckets(deps.rate ?? { perSecond: 1, burst: 20 });
  const langOf = (req: Request): Locale => (req.query.lang === 'en' ? 'en' : 'zh-CN');

  const send = (res: Response, status: number, lang: Locale, title: string, body: string) => {
    // The token is in the URL: no referrer leaves the page, nothing caches it, nothing loads from elsewhere.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.status(status).type('html').send(page(lang, title, body));
  };
  const notice = (res: Response, status: number, lang: Locale, kind: 'notFound' | 'expired' | 'used' | 'tooMany' | 'failed' | 'thanks', extra = '') => {
    const t = SURVEY_PAGE_WORDS[lang];
    const body = { notFound: t.notFoundBody, expired: t.expiredBody, used: t.usedBody, tooMany: t.tooManyBody, failed: t.failedBody, thanks: t.thanksBody }[kind];
    send(res, status, lang, t[kind], `<h1>${escape(t[kind])}</h1><p>${escape(body)}</p>${extra}`);
  };

  const limit: RequestHandler = (req, res, next) => {
    const result = buckets.take(`ip:${req.ip}`);
    if (result.allowed) return next();
    res.setHeader('Retry-After', String(result.retryAfterSeconds));
    notice(res, 429, langOf(req), 'tooMany');
  };

  /** The token's survey, or the friendly page that says why there is none. */
  const find = async (req: Request, res: Response): Promise<Found | undefined> => {
    const lang = langOf(req);
    const raw = String(req.params.token ?? '');
    // A real token is 43 base64url characters; anything else is not looked up.
    if (!/^[A-Za-z0-9_-]{32,64}$/.test(raw)) return void notice(res, 404, lang, 'notFound');
    const em = deps.orm.em.fork();
    const token = await em.findOne(SurveyToken, { tokenHash: surveyTokenHash(raw) });
    const invitation = token ? await em.findOne(SurveyInvitation, { id: token.surveyId }) : null;
    if (!token || !invitation) return void notice(res, 404, lang, 'notFound');
    if (invitation.status === 'answered' || token.usedAt) return void notice(res, 410, lang, 'used');
    if (invitation.status === 'expired' || token.expiresAt.getTime() <= Date.now()) return void notice(res, 410, lang, 'expired');
    return { token, invitation };
  };

  const form = (req: Request, res: Response, found: Found, status = 200, error?: string, values: Partial<Record<'score' | 'comment' | 'complaint', string>> = {}) => {
    const lang = langOf(req);
    const t = SURVEY_PAGE_WORDS[lang];
    const topic = SURVEY_TOPICS[found.invitation.topic as SurveyTopic]?.[lang === 'zh-CN' ? 'zh' : 'en'] ?? found.invitation.topic;
    const self = `/s/${encodeURIComponent(String(req.params.token))}`;
    const when = found.token.expiresAt.toLocaleString(lang === 'zh-CN' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', hour12: false });
    const scores = Array.from({ length: SCORE_MAX - SCORE_MIN + 1 }, (_, i) => SCORE_MIN + i)
      .reverse()
      .map(
        (n) =>
          `<label class="score" for="score-${n}"><input type="radio" id="score-${n}" name="score" value="${n}" required${values.score === String(n) ? ' checked' : ''}> <span>${n} · ${escape(t.scores[n - 1])}</span></label>`,
      )
      .join('\n');
    send(
      res,
      status,
      lang,
      t.title,
      `<nav><a href="${self}${lang === 'zh-CN' ? '?lang=en' : ''}" hreflang="${otherLocale(lang)}">${LANGUAGE_NAMES[otherLocale(lang)]}</a></nav>
<h1>${escape(t.title)}</h1>
<p>${escape(t.intro(topic, found.invitation.room, found.invitation.month))}</p>
${error ? `<p class="error" role="alert" id="form-error">${escape(error)}</p>` : ''}
<form method="post" action="${self}${lang === 'en' ? '?lang=en' : ''}"${error ? ' aria-describedby="form-error"' : ''}>
<fieldset><legend>${escape(t.scoreLegend(topic))}</legend>
${scores}
</fieldset>
<label class="block" for="comment">${escape(t.comment)}</label>
<textarea id="comment" name="comment" maxlength="1000">${escape(values.comment ?? '')}</textarea>
<label class="block" for="complaint">${escape(t.complaint)}</label>
<textarea id="complaint" name="complaint" maxlength="1000">${escape(values.complaint ?? '')}</textarea>
<button type="submit">${escape(t.submit)}</button>
<p class="note">${escape(t.closes(when))}</p>
</form>`,
    );
  };

  /** Unexpected failures still get a page, and the log gets the error (never the token or the answer). */
  const guarded =
    (handler: (req: Request, res: Response) => Promise<void>): RequestHandler =>
    async (req, res) => {
      try {
        await handler(req, res);
      } catch (error) {
        deps.logger.error({ err: error instanceof Error ? { type: error.name, message: error.message } : String(error), route: 'survey-page' }, 'survey page failed');
        if (!res.headersSent) notice(res, 503, langOf(req), 'failed');
      }
    };

  const parseForm = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const body: RequestHandler = (req, res, next) =>
    parseForm(req, res, (error?: unknown) => {
      if (!error) return next();
      const tooLarge = (error as { type?: string }).type === 'entity.too.large';
      send(res, tooLarge ? 413 : 400, langOf(req), SURVEY_PAGE_WORDS[langOf(req)].title, `<h1>${escape(SURVEY_PAGE_WORDS[langOf(req)].title)}</h1><p class="error">${escape(SURVEY_PAGE_WORDS[langOf(req)].tooLong)}</p>`);
    });

  app.get(
    '/s/:token',
    limit,
    guarded(async (req, res) => {
      const found = await find(req, res);
      if (found) form(req, res, found);
    }),
  );

  app.post(
    '/s/:token',
    limit,
    body,
    guarded(async (req, res) => {
      const lang = langOf(req);
      const found = await find(req, res);
      if (!found) return;
      const fields = (req.body ?? {}) as Record<string, unknown>;
      const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string).trim() : '');
      const values = { score: text('score'), comment: text('comment'), complaint: text('complaint') };
      const parsed = surveyAnswerSchema().safeParse({
        score: /^\d$/.test(values.score) ? Number(values.score) : undefined,
        ...(values.comment ? { comment: values.comment } : {}),
        ...(values.complaint ? { complaint: values.complaint } : {}),
      });
      if (!parsed.success) {
        const badScore = parsed.error.issues.some((i) => i.path[0] === 'score');
        return form(req, res, found, 400, badScore ? SURVEY_PAGE_WORDS[lang].invalid : SURVEY_PAGE_WORDS[lang].tooLong, values);
      }
      const answer: SurveyAnswer = parsed.data;
      try {
        await deps.temporal.workflow.getHandle(found.invitation.workflowId).executeUpdate(surveyAnswerUpdate, {
          args: [{ method: 'link', answer, by: { kind: 'resident' } }],
          // One id for the link's answer: a double submit is the same update, answered once.
          updateId: 'resident-link',
        });
        notice(res, 200, lang, 'thanks');
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
          if (error.cause.type === 'AlreadyAnswered') return notice(res, 410, lang, 'used');
          if (error.cause.type === 'SurveyClosed') return notice(res, 410, lang, 'expired');
        }
        if (error instanceof WorkflowNotFoundError) return notice(res, 410, lang, 'expired');
        throw error;
      }
    }),
  );
}
