/** The activities every case workflow calls, with the retries that lose nothing while Postgres or SMTP is down. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

export const ACTIVITY_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  // Postgres or SMTP being down must lose nothing: retry with backoff until they are back.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

/** A notification activity: the same retries, a minute per try. */
export const MAIL_OPTIONS = { ...ACTIVITY_OPTIONS, startToCloseTimeout: '1 minute' } as const;

export const activities = proxyActivities<Activities>(ACTIVITY_OPTIONS);
