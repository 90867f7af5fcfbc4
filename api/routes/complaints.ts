import { z } from 'zod';
import { COMPLAINT_ACTIONS, complaintMessages } from '../../workflows/messages';
import type { Operation } from '../contract';
import { caseRoutes } from './case-actions';
import type { RouteDeps } from './repairs';

/** Complaints (投诉). For now the view and closing of the major complaints R11 opens. */
export function complaintOperations({ orm, temporal }: RouteDeps): Operation[] {
  return caseRoutes({
    orm,
    temporal,
    kind: 'complaint',
    basePath: '/complaints',
    name: 'complaint',
    tag: 'complaints',
    caseId: z.string().regex(/^C\d{8}-\d{4,}$/, 'must be a complaint case number like C20261122-0003'),
    table: COMPLAINT_ACTIONS,
    messages: complaintMessages,
    readRoles: ['frontdesk', 'butler', 'supervisor', 'manager', 'callcenter'],
  });
}
