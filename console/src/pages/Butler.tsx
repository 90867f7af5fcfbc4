/**
 * The butler's day (管家): the return visits to call (V1–V3), each outcome recorded in two taps; the
 * repairs where nobody was home, to agree a new time with the customer (R6); and the open repairs of
 * my areas with the reasons recorded today, as the R12 reconciliation goes through them.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, List, Modal, Popconfirm, Radio, Segmented, Space, Tag, Typography } from 'antd';
import { api, ApiProblem, unwrap } from '../api';
import { retryKeys } from '../retry-key';
import { useI18n } from '../i18n';

type Visit = { caseId: string; status: string; room: string | null; areaId: string; dueAt: string | null; slaState: string };
type Repair = { caseId: string; status: string; classification: string | null; room: string | null; areaId: string; assigneeId: string | null; dueAt: string | null; receivedAt: string };
type OpenLine = { caseId: string; room?: string; areaId: string; status: string; receivedAt: string; assigneeId?: string; reason?: string; reasonAt?: string; reasonToday: boolean };

/** What a tap on a visit records: V2 unanswered, or the customer's verdict (V4). */
type Outcome = 'satisfied' | 'unsatisfied' | 'unanswered';
const OUTCOMES: Outcome[] = ['satisfied', 'unsatisfied', 'unanswered'];
/** The ways a butler reaches a customer from this page (V1); the rest are recorded elsewhere. */
const METHODS = ['phone', 'home-visit'] as const;

/** The butler's lists change as engineers and the workflows move cases; a slow refresh is enough. */
const REFRESH_MS = 10_000;

const describe = (e: unknown) => (e instanceof ApiProblem ? [e.detail, ...e.invalid.map((i) => `${i.name}: ${i.reason}`)].join('；') : String(e));
const byDue = (a: { dueAt: string | null }, b: { dueAt: string | null }) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9');

export function Butler() {
  const { t, label, time } = useI18n();
  const { message } = App.useApp();
  const [visits, setVisits] = useState<Visit[]>();
  const [notHome, setNotHome] = useState<Repair[]>();
  const [open, setOpen] = useState<OpenLine[]>();
  const [error, setError] = useState<string>();
  const [method, setMethod] = useState<(typeof METHODS)[number]>('phone');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<string>();
  const [keys] = useState(() => retryKeys());
  const [rescheduling, setRescheduling] = useState<Repair>();
  const [reasonFor, setReasonFor] = useState<OpenLine>();

  const load = useCallback(async () => {
    try {
      const [v, r, o] = await Promise.all([
        api.GET('/api/v1/return-visits', { params: { query: { status: 'open', limit: 100 } } }).then(unwrap),
        api.GET('/api/v1/repairs', { params: { query: { status: 'awaiting_reschedule', limit: 100 } } }).then(unwrap),
        api.GET('/api/v1/reports/open-requests').then(unwrap),
      ]);
      setVisits([...v.items].sort(byDue));
      setNotHome([...r.items].sort(byDue));
      setOpen([...o.butlers.flatMap((b) => b.requests), ...o.unowned].filter((line, i, all) => all.findIndex((x) => x.caseId === line.caseId) === i));
      setError(undefined);
    } catch (e) {
      setError(describe(e));
    }
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const recordCall = async (visit: Visit, outcome: Outcome) => {
    setBusy(`${visit.caseId}:${outcome}`);
    try {
      const call = outcome === 'unanswered' ? { answered: false, method } : { answered: true, method, satisfied: outcome === 'satisfied' };
      const body = { ...call, ...(comment.trim() ? { comments: comment.trim() } : {}) };
      await keys.send({ caseId: visit.caseId, body }, async (header) => unwrap(await api.POST('/api/v1/return-visits/{caseId}/recordCall', { params: { path: { caseId: visit.caseId }, header }, body })));
      void message.success(`${visit.caseId} · ${t(outcome)}`);
      await load();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(undefined);
    }
  };

  const now = Date.now();
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <h1 style={{ fontSize: 18, margin: 0 }}>{t('butler')}</h1>
      {error && <Alert type="error" showIcon title={error} role="alert" closable onClose={() => setError(undefined)} />}

      <Card
        size="small"
        title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('visitsToCall')}</h2>}
        extra={<Segmented size="small" aria-label={t('visitMethod')} value={method} onChange={(v) => setMethod(v as typeof method)} options={METHODS.map((m) => ({ value: m, label: label(m) }))} />}
        styles={{ body: { padding: 8 } }}
      >
        <List
          loading={!visits}
          locale={{ emptyText: <Typography.Text type="secondary">{t('noVisits')}</Typography.Text> }}
          dataSource={visits ?? []}
          renderItem={(v) => {
            const late = !!v.dueAt && new Date(v.dueAt).getTime() < now;
            return (
              <List.Item data-testid={`visit-${v.caseId}`} style={{ display: 'block' }}>
                <Space wrap size={4}>
                  <strong>{v.caseId}</strong>
                  <span>{v.room ?? v.areaId}</span>
                  <Tag color={late ? '#c41d1d' : '#0e42d2'}>{late ? t('overdue') : `${t('due')} ${time(v.dueAt)}`}</Tag>
                </Space>
                <Space wrap style={{ marginTop: 8 }}>
                  {OUTCOMES.map((outcome) => (
                    <Popconfirm
                      key={outcome}
                      title={`${t('recordOutcome')}${t(outcome)}`}
                      description={<Input.TextArea aria-label={t('comments')} placeholder={t('comments')} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={500} />}
                      okText={t('confirm')}
                      cancelText={t('cancel')}
                      onOpenChange={(visible) => visible && setComment('')}
                      onConfirm={() => recordCall(v, outcome)}
                    >
                      <Button type={outcome === 'satisfied' ? 'primary' : 'default'} danger={outcome === 'unsatisfied'} loading={busy === `${v.caseId}:${outcome}`} aria-label={`${t(outcome)} ${v.caseId}`}>
                        {t(outcome)}
                      </Button>
                    </Popconfirm>
                  ))}
                </Space>
              </List.Item>
            );
          }}
        />
      </Card>

      <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('toReschedule')}</h2>} styles={{ body: { padding: 8 } }}>
        <List
          loading={!notHome}
          locale={{ emptyText: <Typography.Text type="secondary">{t('noneToReschedule')}</Typography.Text> }}
          dataSource={notHome ?? []}
          renderItem={(r) => (
            <List.Item data-testid={`reschedule-${r.caseId}`} style={{ display: 'block' }}>
              <Space wrap size={4}>
                <strong>{r.caseId}</strong>
                <Tag>{label(r.classification)}</Tag>
                <span>{r.room ?? r.areaId}</span>
                {r.dueAt && <Typography.Text type="secondary">{t('due')} {time(r.dueAt)}</Typography.Text>}
              </Space>
              <div style={{ marginTop: 6 }}>
                <Button type="primary" onClick={() => setRescheduling(r)} aria-label={`${t('reschedule')} ${r.caseId}`}>{t('reschedule')}</Button>
              </div>
            </List.Item>
          )}
        />
      </Card>

      <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('openRequests')}</h2>} styles={{ body: { padding: 8 } }}>
        <List
          loading={!open}
          locale={{ emptyText: <Typography.Text type="secondary">{t('noOpenRequests')}</Typography.Text> }}
          dataSource={open ?? []}
          renderItem={(line) => (
            <List.Item data-testid={`open-${line.caseId}`} style={{ display: 'block' }}>
              <div>
                <Space wrap size={4}>
                  <strong>{line.caseId}</strong>
                  <span>{line.room ?? line.areaId}</span>
                  <Tag>{label(line.status)}</Tag>
                  {line.reasonToday ? <Tag color="#237804">{t('reasonToday')}</Tag> : <Tag color="#ad4e00">{t('noReasonToday')}</Tag>}
                </Space>
                {line.reason && (
                  <div>
                    <Typography.Text type="secondary">{time(line.reasonAt)} · </Typography.Text>
                    {line.reason}
                  </div>
                )}
                <Button size="small" style={{ marginTop: 6 }} onClick={() => setReasonFor(line)} aria-label={`${t('recordReason')} ${line.caseId}`}>{t('recordReason')}</Button>
              </div>
            </List.Item>
          )}
        />
      </Card>

      {rescheduling && <Reschedule repair={rescheduling} close={() => setRescheduling(undefined)} done={load} />}
      {reasonFor && <UnfinishedReason line={reasonFor} close={() => setReasonFor(undefined)} done={load} />}
    </Space>
  );
}

/** R6: the new time agreed with the customer, or set after leaving a note when they could not be reached. */
function Reschedule({ repair, close, done }: { repair: Repair; close: () => void; done: () => Promise<void> }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ appointmentAt: string; reached: boolean; note?: string }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [keys] = useState(() => retryKeys());
  const submit = async (v: { appointmentAt: string; reached: boolean; note?: string }) => {
    setBusy(true);
    try {
      const body = { appointmentAt: new Date(v.appointmentAt).toISOString(), reached: v.reached, ...(v.note?.trim() ? { note: v.note.trim() } : {}) };
      await keys.send({ caseId: repair.caseId, body }, async (header) => unwrap(await api.POST('/api/v1/repairs/{caseId}/reschedule', { params: { path: { caseId: repair.caseId }, header }, body })));
      close();
      await done();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={`${t('reschedule')} · ${repair.caseId}`} onCancel={close} onOk={() => form.submit()} okText={t('submit')} cancelText={t('cancel')} confirmLoading={busy} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ reached: true }} onFinish={(v) => void submit(v)}>
        <Form.Item label={t('appointmentAt')} name="appointmentAt" rules={[{ required: true }]}><Input type="datetime-local" /></Form.Item>
        <Form.Item label={t('customerReached')} name="reached">
          <Radio.Group aria-label={t('customerReached')} options={[{ value: true, label: t('reached') }, { value: false, label: t('noteLeft') }]} />
        </Form.Item>
        <Form.Item noStyle dependencies={['reached']}>
          {({ getFieldValue }) => (
            <Form.Item label={t('note')} name="note" rules={[{ required: !getFieldValue('reached') }]}><Input.TextArea rows={2} /></Form.Item>
          )}
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" />}
    </Modal>
  );
}

/** R12: why an open repair is not finished today. */
function UnfinishedReason({ line, close, done }: { line: OpenLine; close: () => void; done: () => Promise<void> }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [keys] = useState(() => retryKeys());
  const submit = async (v: { reason: string }) => {
    setBusy(true);
    try {
      const body = { reason: v.reason.trim() };
      await keys.send({ caseId: line.caseId, body }, async (header) => unwrap(await api.POST('/api/v1/repairs/{caseId}/recordUnfinishedReason', { params: { path: { caseId: line.caseId }, header }, body })));
      close();
      await done();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={`${t('recordReason')} · ${line.caseId}`} onCancel={close} onOk={() => form.submit()} okText={t('submit')} cancelText={t('cancel')} confirmLoading={busy} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ reason: line.reasonToday ? line.reason : undefined }} onFinish={(v) => void submit(v)}>
        <Form.Item label={t('unfinishedReason')} name="reason" rules={[{ required: true, whitespace: true }]}><Input.TextArea rows={3} /></Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" />}
    </Modal>
  );
}
