/** The activities every case workflow calls, with the retries that lose nothing while Postgres or SMTP is down. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

export const ACTIVITY_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  // Postgres or SMTP being down must lose nothing: retry with backoff until they are back.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

/**
 * Task priority of the work a deadline that fell due sets off (its warning, the missed deadline, the
 * escalation and their mails): lower keys leave a backlogged task queue first, and the default is 3.
 * On a typhoon night the escalations and an intake burst come together; a deadline must not wait
 * behind a new case's set-up. The server orders by it only with `matching.useNewMatcher`
 * (deploy/temporal-server/dynamicconfig.yaml, scripts/temporal-cli.ts).
 */
export const DEADLINE_PRIORITY = { priorityKey: 1 } as const;

/** A notification activity: the same retries, a minute per try. */
export const MAIL_OPTIONS = { ...ACTIVITY_OPTIONS, startToCloseTimeout: '1 minute' } as const;

export const activities = proxyActivities<Activities>(ACTIVITY_OPTIONS);
