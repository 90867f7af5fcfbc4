/**
 * A household moving in (入住) and out (空置), docs/rules.md §0 and S1: occupied from its move-in date
 * until its move-out date. A household that moves out keeps its archive and its history, and
 * leaves the survey pool from that date; new occupants move in again. Pure: no I/O.
 */
import { z } from 'zod';

export type MoveKind = 'move-in' | 'move-out';

export const moveSchema = z
  .object({
    date: z.iso.date().describe('the local date of the move, YYYY-MM-DD'),
    note: z.string().trim().min(1).max(500).optional(),
  })
  .strict();

const plusDays = (date: string, days: number) => new Date(new Date(`${date}T00:00:00Z`).getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** Why this move cannot be recorded on this household, or undefined when it can. */
export function moveProblem(kind: MoveKind, household: { moveInDate: string | null; moveOutDate: string | null }, date: string, today: string): string | undefined {
  if (date > plusDays(today, 366)) return 'a move more than a year ahead';
  if (date < '1950-01-01') return 'a move before 1950';
  const { moveInDate, moveOutDate } = household;
  if (kind === 'move-out') {
    if (!moveInDate) return 'the household has no move-in date: record the move-in first';
    if (moveOutDate) return `the household moved out already, on ${moveOutDate}`;
    if (date < moveInDate) return `before its move-in on ${moveInDate}`;
    return undefined;
  }
  if (moveInDate && !moveOutDate) return `occupied since ${moveInDate}: record the move-out first (or correct the date with PATCH)`;
  if (moveOutDate && date < moveOutDate) return `before the last occupants moved out on ${moveOutDate}`;
  return undefined;
}

/** The household's dates after the move. */
export function afterMove(kind: MoveKind, date: string): { moveInDate?: string; moveOutDate: string | null } {
  return kind === 'move-in' ? { moveInDate: date, moveOutDate: null } : { moveOutDate: date };
}
