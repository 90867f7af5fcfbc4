/** V3: a new need raised at a complaint's return visit becomes a request of its own kind, linked to the complaint. */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { ComplaintNewNeed } from '../../domain/complaint';
import type { Actor } from '../../domain/people';
import type { RequestKind } from '../../domain/requests';
import { workflowIds } from '../../domain/workflow-ids';
import { activities } from '../case';
import type { repair } from '../repair';
import type { serviceRequest } from '../request';
import { AreaId, CaseStatus, CaseType, Severity } from '../search-attributes';
import type { ComplaintCase } from './case';

export async function openNewNeed(c: ComplaintCase, need: ComplaintNewNeed, receivedBy: Actor, call: number): Promise<void> {
  const { input, state } = c;
  const receivedAt = new Date().toISOString();
  const contact = { contactName: input.contactName ?? '', contactPhone: input.contactPhone ?? '' };
  let caseId: string;
  if (need.kind === 'repair') {
    caseId = await activities.allocateCaseNumber({ prefix: 'R', propertyId: input.propertyId, idempotencyKey: `${c.workflowId}:follow-up:${call}` });
    await startChild<typeof repair>('repair', {
      workflowId: workflowIds.repair(caseId),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: CaseType, value: 'repair' },
        { key: CaseStatus, value: 'received' },
        { key: Severity, value: need.classification! },
        { key: AreaId, value: input.areaId },
      ],
      staticSummary: `报修 ${caseId} ← 投诉回访 ${state.caseId}${input.room ? ` · room ${input.room}` : ''}`,
      args: [
        {
          caseId,
          propertyId: input.propertyId,
          areaId: input.areaId,
          householdId: input.householdId,
          room: input.room,
          intake: {
            room: input.room,
            areaId: input.room ? undefined : input.areaId,
            ...contact,
            channel: 'staff',
            description: need.description,
            classification: need.classification!,
            tags: need.tags ?? [],
            publicArea: !input.room,
            appointmentAt: need.appointmentAt,
          },
          receivedAt,
          receivedBy,
        },
      ],
    });
  } else {
    caseId = await activities.allocateCaseNumber({ prefix: 'Q', propertyId: input.propertyId, idempotencyKey: `${c.workflowId}:follow-up:${call}` });
    await startChild<typeof serviceRequest>('serviceRequest', {
      workflowId: workflowIds.request(caseId),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: CaseType, value: 'request' },
        { key: CaseStatus, value: 'awaiting_reply' },
        { key: Severity, value: need.kind },
        { key: AreaId, value: input.areaId },
      ],
      staticSummary: `${need.kind} ${caseId} ← 投诉回访 ${state.caseId}${input.room ? ` · room ${input.room}` : ''}`,
      args: [
        {
          caseId,
          propertyId: input.propertyId,
          areaId: input.areaId,
          householdId: input.householdId,
          room: input.room,
          intake: { kind: need.kind as RequestKind, room: input.room ?? '', ...contact, channel: 'staff', content: need.description },
          receivedAt,
          receivedBy,
        },
      ],
    });
  }
  state.links = [...state.links, { caseId, relation: 'follow-up' }];
  await c.tracker.audit('follow-up-opened', receivedBy, { caseId, kind: need.kind, rule: 'V3' }, { links: state.links });
}
