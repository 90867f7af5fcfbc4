/**
 * The engineer's phone: my work orders (new ones first, with the time left to accept), and one
 * order — accept, arrive, measures and a new promise, complete with a fee, photos before and after
 * (uploaded with retries on a bad connection), and the customer's signature for the sign-off.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Alert, Button, Card, Descriptions, Form, Image, Input, InputNumber, List, Modal, Radio, Space, Tag, Typography } from 'antd';
import SignaturePad from 'signature_pad';
import { api, ApiProblem, unwrap } from '../api';
import { retryKeys } from '../retry-key';
import { useI18n } from '../i18n';

type WorkOrder = { case: { caseId: string; status: string; severity: string; room?: string; allowedActions: string[]; deadlines: { name: string; rule: string; dueAt: string; state: string }[] }; description: string; contactName: string | null; contactPhone: string | null; attachments: { id: string; kind: string; url: string }[] };

/** Seconds ticking, for the countdowns. */
function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function left(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function Orders() {
  const { t, label } = useI18n();
  const [items, setItems] = useState<{ caseId: string; status: string; classification: string | null; room: string | null; description: string; dueAt: string | null }[]>();
  const now = useNow();
  useEffect(() => {
    let stop = false;
    const load = async () => {
      const answer = unwrap(await api.GET('/api/v1/work-orders'));
      if (!stop) setItems(answer.items);
    };
    void load();
    const timer = setInterval(() => void load(), 10_000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);
  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('orders')}</h1>} styles={{ body: { padding: 8 } }}>
      <List
        loading={!items}
        locale={{ emptyText: t('noOrders') }}
        dataSource={items ?? []}
        renderItem={(o) => {
          const due = o.dueAt ? new Date(o.dueAt).getTime() - now : undefined;
          return (
            <List.Item>
              <Link to={`/orders/${o.caseId}`} style={{ display: 'block', width: '100%', color: 'inherit' }}>
                <Space wrap size={4}>
                  <strong>{o.caseId}</strong>
                  <Tag color={o.classification === 'urgent' ? '#c41d1d' : '#0e42d2'}>{label(o.classification)}</Tag>
                  <Tag>{label(o.status)}</Tag>
                  <span>{o.room}</span>
                </Space>
                <div>{o.description}</div>
                {o.status === 'dispatched' && due !== undefined && (
                  <Typography.Text strong type={due > 0 ? 'warning' : 'danger'} data-testid="accept-countdown">
                    {due > 0 ? `${t('acceptWithin')} ${left(due)}` : t('overdue')}
                  </Typography.Text>
                )}
              </Link>
            </List.Item>
          );
        }}
      />
    </Card>
  );
}

/** One upload, tried again with a growing pause when the connection drops or the server is busy. */
async function uploadWithRetry(send: () => Promise<{ response: Response; error?: unknown; data?: unknown }>, attempts = 4): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await send();
      if (result.response.ok) return;
      // A refusal (not an image, too big) will not change on a retry.
      if (result.response.status < 500 && result.response.status !== 429) unwrap(result);
    } catch (error) {
      if (error instanceof ApiProblem || attempt >= attempts) throw error;
    }
    if (attempt >= attempts) throw new Error('upload failed');
    await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
  }
}

function Photos({ order, reload }: { order: WorkOrder; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const [state, setState] = useState<Record<string, string>>({});
  const upload = async (stage: 'before' | 'after', file: File) => {
    setState((s) => ({ ...s, [stage]: t('uploading') }));
    try {
      await uploadWithRetry(() =>
        api.POST('/api/v1/repairs/{caseId}/photos', {
          params: { path: { caseId: order.case.caseId }, query: { stage } },
          body: file as never,
          bodySerializer: (b: unknown) => b as BodyInit,
          headers: { 'Content-Type': file.type || 'image/jpeg' },
        }),
      );
      setState((s) => ({ ...s, [stage]: '' }));
      await reload();
    } catch (e) {
      setState((s) => ({ ...s, [stage]: e instanceof ApiProblem ? e.detail : t('uploadFailed') }));
    }
  };
  return (
    <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('photos')}</h2>}>
      {(['before', 'after'] as const).map((stage) => (
        <div key={stage} style={{ marginBottom: 12 }}>
          <Space wrap>
            <strong>{t(stage)}</strong>
            <label className="ant-btn ant-btn-default" style={{ display: 'inline-flex', alignItems: 'center', padding: '4px 12px', border: '1px solid #d9d9d9', borderRadius: 6, cursor: 'pointer' }}>
              {t('takePhoto')} · {t(stage)}
              <input type="file" accept="image/*" capture="environment" data-testid={`photo-${stage}`} style={{ position: 'absolute', opacity: 0, width: 1, height: 1 }}
                onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void upload(stage, f); }} />
            </label>
            {state[stage] && <Typography.Text role="status">{state[stage]}</Typography.Text>}
          </Space>
          <div style={{ marginTop: 6 }}>
            <Image.PreviewGroup>
              {order.attachments.filter((a) => a.kind === stage).map((a) => (
                <Image key={a.id} src={a.url} width={96} height={96} style={{ objectFit: 'cover' }} alt={`${t(stage)} ${a.id}`} data-testid={`photo-${stage}-img`} />
              ))}
            </Image.PreviewGroup>
          </div>
        </div>
      ))}
    </Card>
  );
}

function SignOff({ order, done }: { order: WorkOrder; done: () => Promise<void> }) {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const pad = useRef<SignaturePad>(null);
  const [open, setOpen] = useState(false);
  const [accepted, setAccepted] = useState(true);
  const [keys] = useState(() => retryKeys());
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const attach = useCallback((el: HTMLCanvasElement | null) => {
    (canvas as { current: HTMLCanvasElement | null }).current = el;
    if (!el) return;
    (pad as { current: SignaturePad | null }).current = new SignaturePad(el, { backgroundColor: 'rgb(255,255,255)' });
    // The canvas has its size only once the dialog is laid out; a later resize redraws what was signed.
    const fit = () => {
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const [width, height] = [Math.round(el.offsetWidth * ratio), Math.round(el.offsetHeight * ratio)];
      if (!width || (el.width === width && el.height === height)) return;
      const strokes = pad.current?.toData() ?? [];
      el.width = width;
      el.height = height;
      el.getContext('2d')!.scale(ratio, ratio);
      pad.current?.clear();
      if (strokes.length) pad.current?.fromData(strokes);
      el.dataset.ready = 'true';
    };
    new ResizeObserver(fit).observe(el);
  }, []);
  const submit = async () => {
    if (!pad.current || pad.current.isEmpty()) return setError(t('signHere'));
    setBusy(true);
    setError(undefined);
    try {
      const blob = await new Promise<Blob>((resolve, reject) => canvas.current!.toBlob((b) => (b ? resolve(b) : reject(new Error('no signature image'))), 'image/png'));
      await uploadWithRetry(() =>
        api.POST('/api/v1/repairs/{caseId}/signature', { params: { path: { caseId: order.case.caseId } }, body: blob as never, bodySerializer: (b: unknown) => b as BodyInit, headers: { 'Content-Type': 'image/png' } }),
      );
      await keys.send({ caseId: order.case.caseId, accepted }, async (header) => unwrap(await api.POST('/api/v1/repairs/{caseId}/signOff', { params: { path: { caseId: order.case.caseId }, header }, body: { accepted } })));
      setOpen(false);
      await done();
    } catch (e) {
      setError(e instanceof ApiProblem ? e.detail : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button type="primary" block size="large" onClick={() => setOpen(true)}>
        {t('signOff')}
      </Button>
      <Modal open={open} title={t('signOff')} onCancel={() => setOpen(false)} onOk={() => void submit()} confirmLoading={busy} okText={t('submit')} destroyOnHidden>
        <p id="sign-hint">{t('signHere')}</p>
        <canvas ref={attach} aria-describedby="sign-hint" aria-label={t('signHere')} role="img" data-testid="signature-pad" style={{ width: '100%', height: 180, border: '1px solid #d0d4db', borderRadius: 8, touchAction: 'none', background: '#fff' }} />
        <Space style={{ marginTop: 8 }} wrap>
          <Button onClick={() => pad.current?.clear()}>{t('clear')}</Button>
          <Radio.Group value={accepted} onChange={(e) => setAccepted(e.target.value as boolean)} aria-label={t('signOff')}
            options={[{ value: true, label: t('accepted') }, { value: false, label: t('rejected') }]} />
        </Space>
        {error && <Alert type="error" title={error} role="alert" style={{ marginTop: 8 }} />}
      </Modal>
    </>
  );
}

export function Order() {
  const { caseId } = useParams();
  const { t, label, time } = useI18n();
  const [order, setOrder] = useState<WorkOrder>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [form, setForm] = useState<'recordMeasures' | 'complete'>();
  // An action sent again after a lost answer (a basement) or a busy 503 keeps its key: done once.
  const [keys] = useState(() => retryKeys());
  const now = useNow();
  const load = useCallback(async () => {
    try {
      setOrder(unwrap(await api.GET('/api/v1/work-orders/{caseId}', { params: { path: { caseId: caseId! } } })) as WorkOrder);
    } catch (e) {
      setError(e instanceof ApiProblem ? e.detail : String(e));
    }
  }, [caseId]);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (action: 'accept' | 'arrive' | 'customerNotHome' | 'recordMeasures' | 'complete', body: Record<string, unknown> = {}) => {
    setBusy(action);
    setError(undefined);
    try {
      await keys.send({ caseId, action, body }, async (header) => unwrap(await api.POST(`/api/v1/repairs/{caseId}/${action}` as '/api/v1/repairs/{caseId}/accept', { params: { path: { caseId: caseId! }, header }, body: body as never })));
      setForm(undefined);
      await load();
    } catch (e) {
      setError(e instanceof ApiProblem ? [e.detail, ...e.invalid.map((i) => `${i.name}: ${i.reason}`)].join('；') : String(e));
    } finally {
      setBusy(undefined);
    }
  };

  if (!order) return error ? <Alert type="error" showIcon title={error} role="alert" /> : <Card loading />;
  const allowed = new Set(order.case.allowedActions);
  const pending = order.case.deadlines.filter((d) => d.state === 'pending');
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Link to="/orders">← {t('back')}</Link>
      <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{order.case.caseId} · {order.case.room ?? ''}</h1>} size="small">
        <Descriptions column={1} size="small" items={[
          { key: 's', label: t('status'), children: <Tag color="#0e42d2" data-testid="order-status">{label(order.case.status)}</Tag> },
          { key: 'c', label: t('classification'), children: label(order.case.severity) },
          { key: 'd', label: t('description'), children: order.description },
          { key: 'p', label: t('contact'), children: order.contactPhone ? <a href={`tel:${order.contactPhone}`}>{order.contactName} {order.contactPhone}</a> : '—' },
          ...pending.map((d) => ({ key: d.name, label: `${label(`deadline:${d.name}`)} (${d.rule})`, children: <span>{time(d.dueAt)} · {new Date(d.dueAt).getTime() > now ? left(new Date(d.dueAt).getTime() - now) : t('overdue')}</span> })),
        ]} />
      </Card>
      {error && <Alert type="error" showIcon title={error} role="alert" />}
      <Space direction="vertical" style={{ width: '100%' }}>
        {allowed.has('accept') && <Button type="primary" size="large" block loading={busy === 'accept'} onClick={() => void act('accept')}>{t('accept')}</Button>}
        {allowed.has('arrive') && <Button type="primary" size="large" block loading={busy === 'arrive'} onClick={() => void act('arrive')}>{t('arrive')}</Button>}
        {allowed.has('customerNotHome') && <Button size="large" block loading={busy === 'customerNotHome'} onClick={() => void act('customerNotHome')}>{t('customerNotHome')}</Button>}
        {allowed.has('recordMeasures') && <Button size="large" block onClick={() => setForm('recordMeasures')}>{t('recordMeasures')}</Button>}
        {allowed.has('complete') && <Button type="primary" size="large" block onClick={() => setForm('complete')}>{t('complete')}</Button>}
        {allowed.has('signOff') && <SignOff order={order} done={load} />}
      </Space>
      {form === 'recordMeasures' && (
        <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('recordMeasures')}</h2>}>
          <Form layout="vertical" onFinish={(v: { measures: string; promisedAt: string }) => void act('recordMeasures', { measures: v.measures, promisedAt: new Date(v.promisedAt).toISOString() })}>
            <Form.Item label={t('measures')} name="measures" rules={[{ required: true }]}><Input.TextArea rows={2} /></Form.Item>
            <Form.Item label={t('promisedAt')} name="promisedAt" rules={[{ required: true }]}><Input type="datetime-local" /></Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy === 'recordMeasures'}>{t('submit')}</Button>
          </Form>
        </Card>
      )}
      {form === 'complete' && (
        <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('complete')}</h2>}>
          <Form layout="vertical" onFinish={(v: { summary: string; fee?: number; feeDescription?: string }) => void act('complete', { summary: v.summary, ...(v.fee ? { feeCents: Math.round(v.fee * 100), feeDescription: v.feeDescription } : {}) })}>
            <Form.Item label={t('summary')} name="summary" rules={[{ required: true }]}><Input.TextArea rows={2} /></Form.Item>
            <Form.Item label={t('fee')} name="fee"><InputNumber min={0} step={1} style={{ width: '100%' }} /></Form.Item>
            <Form.Item label={t('feeDescription')} name="feeDescription"><Input /></Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy === 'complete'}>{t('submit')}</Button>
          </Form>
        </Card>
      )}
      <Photos order={order} reload={load} />
    </Space>
  );
}
