import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Case, type ICase } from '../db/entities';
import { HttpProblem } from './problem';

export const cursorParam = z.string().max(200).optional().describe('opaque; from the previous page');

/**
 * One page of cases, newest first, in a stable order (receivedAt, then id) that new cases cannot
 * disturb: the cursor is the last row's position, not an offset.
 */
export async function casePage(
  em: EntityManager,
  where: Record<string, unknown>,
  query: { limit: number; cursor?: string },
): Promise<{ page: ICase[]; nextCursor: string | null }> {
  const and = [...((where.$and as Record<string, unknown>[] | undefined) ?? [])];
  if (query.cursor) {
    const [at, id] = Buffer.from(query.cursor, 'base64url').toString('utf8').split('|');
    const cursorAt = new Date(at);
    if (!id || Number.isNaN(cursorAt.getTime())) {
      throw new HttpProblem(400, 'Invalid request', 'the cursor is not one this API gave out', {
        'invalid-params': [{ name: 'cursor', in: 'query', reason: 'unknown cursor' }],
      });
    }
    and.push({ $or: [{ receivedAt: { $lt: cursorAt } }, { receivedAt: cursorAt, id: { $lt: id } }] });
  }
  const rows = await em.find(Case, { ...where, ...(and.length ? { $and: and } : {}) }, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    page,
    nextCursor: rows.length > query.limit && last ? Buffer.from(`${last.receivedAt.toISOString()}|${last.id}`).toString('base64url') : null,
  };
}
