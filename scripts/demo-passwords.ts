/**
 * The demo's first sign-in: each seeded staff member gets a one-time link to set a console password,
 * mailed (to the mail sink, .data/mail) as a new account's would be, and printed by `npm start`.
 */
import type { Transporter } from 'nodemailer';
import { mailPasswordLink } from '../api/routes/session';
import type { Config } from '../config';
import type { Orm } from '../db/orm';

export async function demoPasswordLinks(orm: Orm, config: Config, mailer: Transporter, staffIds: string[]): Promise<{ staffId: string; url: string }[]> {
  const links: { staffId: string; url: string }[] = [];
  for (const staffId of staffIds) {
    const url = await mailPasswordLink({ orm, config, mailer }, staffId, 'created', 'system');
    if (url) links.push({ staffId, url });
  }
  return links;
}
