/**
 * Field schemas the intake, archive and action schemas share, as builders: nothing here is built at
 * module load (the workflow modules are evaluated once per cached workflow; see workflows/messages.ts).
 */
import { z } from 'zod';

/** Phone numbers as residents give them: mainland mobile, landline with optional area code and extension. */
export const phone = () =>
  z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9\- ]{4,19}$/, 'must be a phone number (digits, spaces, dashes, optional leading +)');

/** An instant with its UTC offset, e.g. 2026-11-22T09:00:00+08:00. */
export const instant = () => z.iso.datetime({ offset: true });

/** A note, reason or comment written by staff. */
export const note = () => z.string().trim().min(1).max(1000);
