/**
 * The stories of the dev-server suite, end to end on the production shape (scripts/cluster.ts): the
 * Temporal server on Postgres (persistence and SQL visibility), two worker processes on the
 * prebuilt bundle and two API processes, every request to the next API in turn. What the dev server
 * (SQLite, one process) cannot show: the search attributes filter on Postgres' visibility store,
 * a case's steps run on whichever worker polls, and every answer comes from either API.
 */
import { Case, SurveyInvitation, SurveyResponse } from '../../db/entities';
import { surveyViewQuery } from '../../workflows/survey-messages';
import type { surveyMonthlyRun } from '../../workflows/survey-run';
import { header, sleep, startClusterStack, until, type ClusterStack } from './harness';

jest.setTimeout(300_000);

let stack: ClusterStack;
beforeAll(async () => {
  stack = await startClusterStack();
});
afterAll(async () => stack?.close());

const row = (caseId: string) => stack.cluster.orm.em.fork().findOne(Case, { id: caseId });
const caseRow = (caseId: string, test: (r: NonNullable<Awaited<ReturnType<typeof row>>>) => boolean, what: string) =>
  until(async () => {
    const r = await row(caseId);
    return r && test(r) ? r : undefined;
  }, `${caseId}: ${what}`);
const mailsFor = (caseId: string, subject: string) => stack.mails.filter((m) => m.subject.includes(caseId) && m.subject.includes(subject));

async function visible(query: string): Promise<string[]> {
  return until(async () => {
    const ids: string[] = [];
    for await (const wf of stack.cluster.client.workflow.list({ query })) ids.push(wf.workflowId);
    return ids.length > 0 && ids;
  }, query);
}

async function ok(method: string, path: string, staffId: string, body: unknown = {}) {
  const res = await stack.call(method, path, staffId, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

describe('stories on the production shape (Temporal server on Postgres, 2 workers, 2 APIs)', () => {
  it('a repair story: an urgent leak, a late engineer escalated once, completion, sign-off, a satisfied return visit — closed, and found by its search attributes in the SQL visibility store', async () => {
    await stack.usePolicy(600); // acceptance 3 s, urgent arrival 2 s
    const { caseId } = await ok('POST', '/repairs', 'S-FD1', {
      room: '2-1-801', contactName: '周先生', contactPhone: '13700137000', channel: 'phone', description: '卫生间水管爆裂，室内进水', classification: 'urgent', tags: ['water'],
    });
    const engineer = (await caseRow(caseId, (r) => !!r.assigneeId, 'assigned')).assigneeId!;
    await ok('POST', `/repairs/${caseId}/accept`, engineer);
    await until(async () => mailsFor(caseId, '超时升级')[0], 'the late arrival escalated');
    await ok('POST', `/repairs/${caseId}/arrive`, engineer);
    await ok('POST', `/repairs/${caseId}/complete`, engineer, { summary: '更换爆裂水管' });
    await ok('POST', `/repairs/${caseId}/signOff`, 'S-BT1', { accepted: true });
    const visitId = `RV-${caseId}-1`;
    await caseRow(visitId, () => true, 'return visit opened');
    await until(async () => (await stack.call('POST', `/return-visits/${visitId}/recordCall`, 'S-BT1', { answered: true, method: 'phone', satisfied: true })).status === 200, 'the return visit call recorded');
    const closed = await caseRow(caseId, (r) => r.status === 'closed' && !!r.closedAt, 'closed');

    expect(closed).toMatchObject({ kind: 'repair', escalated: true, room: '2-1-801' });
    expect(await visible(`WorkflowId = 'repair-${caseId}' AND CaseType = 'repair' AND Escalated = true AND Severity = 'urgent' AND ExecutionStatus = 'Completed'`)).toEqual([`repair-${caseId}`]);
    expect(await visible(`WorkflowId = 'return-visit-${visitId}' AND CaseType = 'return_visit' AND ExecutionStatus = 'Completed'`)).toEqual([`return-visit-${visitId}`]);
    // Every answer came from either API; the escalation went out once, to the supervisor.
    const view = await stack.call('GET', `/repairs/${caseId}`, 'S-SV1', undefined, { api: 1 });
    expect(view.body).toMatchObject({ caseId, status: 'closed' });
    await sleep(1000);
    const escalations = mailsFor(caseId, '超时升级');
    expect(escalations).toHaveLength(1);
    expect(escalations[0].to).toEqual([expect.stringMatching(/^s-sv1@/)]);
  });

  it('a complaint story: three households complain about the same lift breakdown — the third classification makes all three major, supervisor and manager hear of each once, and Severity filters them on Postgres', async () => {
    await stack.usePolicy(600, (p) => {
      p.complaint.workingDayMs = 600_000;
    });
    const classify = (caseId: string, severity: 'general' | 'major') =>
      until(async () => {
        const res = await stack.call('POST', `/complaints/${caseId}/classify`, 'S-BT1', { severity, category: 'engineering', department: '工程部', issueKey: 'lift-b3-breakdown' });
        // While the workflow is still recording the case it takes no action yet.
        if (res.status === 409 && String(res.body.detail).includes('现在可以：无')) return undefined;
        if (res.status !== 200) throw new Error(`classify: ${res.status} ${JSON.stringify(res.body)}`);
        return true;
      }, `${caseId} classified`);
    const ids: string[] = [];
    for (const [i, room] of ['1-1-301', '1-1-302', '1-2-301'].entries()) {
      const { caseId } = await ok('POST', '/complaints', 'S-FD1', { room, contactName: '王先生', contactPhone: `1380013800${i}`, channel: 'phone', description: '3 号楼电梯又停运了' });
      await caseRow(caseId, () => true, 'recorded');
      await classify(caseId, 'general');
      ids.push(caseId);
    }
    // The third household's classification, and nothing after it, makes every complaint of the issue major
    // (on two workers its count of complainants runs wherever the activity lands).
    for (const caseId of ids) {
      await caseRow(caseId, (r) => r.severity === 'major' && r.escalated, 'major');
      await until(async () => mailsFor(caseId, '【重大投诉】').length === 2, `${caseId}: the major complaint mails`);
    }
    // A second classification of the first household's complaint is not a fourth complainant, and upgrades nothing twice.
    await classify(ids[0], 'major');
    await sleep(1000);
    for (const caseId of ids) expect(mailsFor(caseId, '【重大投诉】').map((m) => m.to[0].split('@')[0]).sort()).toEqual(['s-mg1', 's-sv1']);
    const found = await until(async () => {
      const list: string[] = [];
      for await (const wf of stack.cluster.client.workflow.list({ query: `CaseType = 'complaint' AND Severity = 'major' AND ExecutionStatus = 'Running'` })) list.push(wf.workflowId);
      return list.length === ids.length && list;
    }, 'the three major complaints in the visibility store');
    expect(found.sort()).toEqual(ids.map((id) => `complaint-${id}`).sort());
  });

  it("a survey run: a supervisor's monthly sampling starts one survey per chosen household across both workers, every invitation mailed once, and a resident's answer through the page reaches its workflow", async () => {
    const lastMonth = new Date(Date.now() - 32 * 86_400_000).toISOString().slice(0, 7);
    const started = await ok('POST', '/survey-runs', 'S-SV1', { month: lastMonth });
    const summary = await stack.cluster.client.workflow.getHandle<typeof surveyMonthlyRun>(started.workflowId).result();
    const chosen = summary.areas.reduce((n, a) => n + a.chosen, 0);
    expect(chosen).toBeGreaterThanOrEqual(Math.ceil(208 * 0.1));
    const invitations = await until(async () => {
      const rows = await stack.cluster.orm.em.fork().find(SurveyInvitation, { month: lastMonth });
      return rows.length === chosen && rows.every((r) => r.status !== 'chosen') && rows;
    }, 'every survey invited');
    const { count } = await stack.cluster.client.workflow.count(`CaseType = 'survey' AND ExecutionStatus = 'Running'`);
    expect(count).toBe(chosen);

    const invitationMails = () => stack.mails.filter((m) => m.subject.includes('满意度调查】') && m.subject.includes(lastMonth));
    await until(async () => invitationMails().length >= chosen, 'every invitation mail');
    await sleep(1000);
    expect(new Set(invitationMails().map((m) => header(m, 'message-id'))).size).toBe(chosen);
    expect(invitationMails()).toHaveLength(chosen);

    const invitation = invitations[0];
    const mail = invitationMails().find((m) => m.to.includes(`owner-${invitation.room}@demo.wuye.local`))!;
    const path = new URL(/https?:\/\/\S+\/s\/[A-Za-z0-9_-]+/.exec(mail.text)![0]).pathname;
    const answer = await stack.call('POST', path, null, { score: '4', comment: '保安巡逻很认真' }, { form: true });
    expect(answer.status).toBe(200);
    const view = await until(async () => {
      const v = await stack.cluster.client.workflow.getHandle(invitation.workflowId).query(surveyViewQuery);
      return v.status === 'answered' && v;
    }, 'the answer in the survey workflow');
    expect(view.answer).toMatchObject({ score: 4, method: 'link' });
    await until(async () => stack.cluster.orm.em.fork().findOne(SurveyResponse, { surveyId: invitation.id }), 'the answer in the read model');
  });
});
