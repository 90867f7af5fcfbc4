/** The shape of the mail catalogue (docs/messages.md): each mail is written once per language and rendered in one. */
import { DEFAULT_LOCALE, type Locale } from '../domain/words';

export interface MailContent {
  subject: string;
  text: string;
}

/** A template of the catalogue: one text per language. */
export type Template<D> = (d: D, locale?: Locale) => MailContent;

/** Builds a template from its two texts. */
export function mail<D>(zh: (d: D) => MailContent, en: (d: D) => MailContent): Template<D> {
  return (d, locale = DEFAULT_LOCALE) => (locale === 'en' ? en(d) : zh(d));
}
