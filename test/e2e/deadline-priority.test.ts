/**
 * Deadlines first: the work a deadline that fell due sets off is scheduled at DEADLINE_PRIORITY,
 * and a case's routine work at the default, as the recorded history shows it (what the matcher
 * orders a backlogged task queue by). bench/deadlines-first.ts measures what it is worth.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Notification } from '../../db/entities';
import { DEADLINE_PRIORITY } from '../../workflows/case/proxies';
import { assigneeOf, report, usePolicy } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

const { EventType } = temporal.api.enums.v1;

/** Each activity the case scheduled: its type, its UI summary and the priority key it was scheduled with (0: the default). */
async function scheduledActivities(workflowId: string) {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  // Summaries travel sealed by the payload codec: open them as the client would.
  const { payloadCodecs } = stack.client.options.loadedDataConverter;
  const summaryOf = async (payload: Payload) => {
    let payloads = [payload];
    for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    return defaultPayloadConverter.fromPayload<string>(payloads[0]);
  };
  const scheduled = (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  return Promise.all(
    scheduled.map(async (e) => ({
      type: e.activityTaskScheduledEventAttributes!.activityType!.name!,
      summary: e.userMetadata?.summary ? await summaryOf(e.userMetadata.summary as Payload) : '',
      priorityKey: e.activityTaskScheduledEventAttributes!.priority?.priorityKey ?? 0,
    })),
  );
}

describe('deadline work priority', () => {
  it('the warning, the missed deadline and the escalation are scheduled at DEADLINE_PRIORITY; the set-up and the re-dispatch at the default', async () => {
    await usePolicy(stack, 600, (p) => {
      p.repair.acceptWithinMs = 3000;
    });
    const caseId = await report(stack, { classification: 'major', appointmentAt: new Date(Date.now() + 86_400_000).toISOString() });
    await assigneeOf(stack, caseId);
    await eventually(async () => ((await stack.orm.em.fork().count(Notification, { caseId, template: 'escalation' })) > 0 ? true : undefined), {
      what: 'the missed acceptance escalated',
    });
    const activities = await eventually(async () => {
      const all = await scheduledActivities(`repair-${caseId}`);
      // The re-dispatch to another engineer follows the escalation's write.
      return all.some((a) => a.summary.includes('escalated')) && all.filter((a) => a.summary.includes('audit: dispatched')).length >= 2 ? all : undefined;
    }, { what: 'the escalation and the re-dispatch in the history' });

    const keyOf = (part: string) => activities.filter((a) => a.summary.includes(part)).map((a) => a.priorityKey);
    expect(DEADLINE_PRIORITY.priorityKey).toBeLessThan(3);
    expect(keyOf('sla-warning')).toEqual([DEADLINE_PRIORITY.priorityKey]);
    expect(keyOf('escalated')).toEqual([DEADLINE_PRIORITY.priorityKey]);
    expect(keyOf('deadline-missed')).toEqual([DEADLINE_PRIORITY.priorityKey]);
    // Routine work keeps the default: the opening activity, the first dispatch and the re-dispatch.
    expect(activities.filter((a) => a.type === 'openCase').map((a) => a.priorityKey)).toEqual([0]);
    expect(keyOf('audit: dispatched')).toEqual([0, 0]);
  });
});
