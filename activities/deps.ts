import type { Transporter } from 'nodemailer';
import type { Orm } from '../db/orm';
import type { Config } from '../config';

/** What every activity closes over; built once in worker.ts (docs/architecture.md §4). */
export interface ActivityDeps {
  orm: Orm;
  mailer: Transporter;
  config: Pick<Config, 'MAIL_FROM' | 'PUBLIC_BASE_URL' | 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>;
  clock: () => Date;
}
