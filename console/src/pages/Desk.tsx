/**
 * The front desk / call centre: find the caller's household by phone, room or name, see its open
 * cases (a hint when the room already has an open repair), record a repair, complaint, request or
 * special service, and read the case number back to the caller.
 */
import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Col, Form, Input, List, Radio, Result, Row, Select, Space, Tag, Typography } from 'antd';
import { api, ApiProblem, unwrap } from '../api';
import { retryKeys } from '../retry-key';
import { useI18n } from '../i18n';

type Household = { householdId: string; room: string; areaId: string; contacts?: { name: string | null; phone: string | null; primary: boolean }[] };
type OpenCase = { caseId: string; kind: string; status: string; severity: string | null; receivedAt: string; description: string };
type Kind = 'repair' | 'complaint' | 'request' | 'special_service';

const CHANNELS = ['phone', 'visit', 'frontdesk', 'callcenter', 'wechat', 'app', 'email', 'letter'] as const;

/** What the search box holds: digits are a phone, "1-1-301" a room, anything else a name. */
function searchQuery(text: string): { phone?: string; room?: string; name?: string } {
  const value = text.trim();
  if (/^\d+-\d+-\d+$/.test(value)) return { room: value };
  if (/^[\d\s+-]{3,}$/.test(value)) return { phone: value.replace(/\D/g, '') };
  return { name: value };
}

const toInstant = (local: string | undefined) => (local ? new Date(local).toISOString() : undefined);

export function Desk() {
  const { t, label, time } = useI18n();
  const [households, setHouseholds] = useState<Household[]>();
  const [chosen, setChosen] = useState<Household>();
  const [open, setOpen] = useState<OpenCase[]>([]);
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // The same case sent again after a lost answer or a busy 503 keeps its key: opened once.
  const [keys] = useState(() => retryKeys());
  const [kind, setKind] = useState<Kind>('repair');
  const [form] = Form.useForm();

  const find = async (text: string) => {
    setError(undefined);
    setChosen(undefined);
    if (!text.trim()) return;
    const found = unwrap(await api.GET('/api/v1/households', { params: { query: { ...searchQuery(text), limit: 20 } } }));
    setHouseholds(found.items as Household[]);
    if (found.items.length === 1) await choose(found.items[0] as Household);
  };
  const choose = async (h: Household) => {
    setChosen(h);
    const contact = h.contacts?.find((c) => c.primary) ?? h.contacts?.[0];
    form.setFieldsValue({ contactName: contact?.name ?? undefined, contactPhone: contact?.phone ?? undefined });
    setOpen(unwrap(await api.GET('/api/v1/open-cases', { params: { query: { room: h.room } } })).items);
  };

  const submit = async (v: Record<string, unknown>) => {
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    const common = { room: chosen.room, contactName: v.contactName as string, contactPhone: v.contactPhone as string, channel: v.channel as (typeof CHANNELS)[number] };
    const openCase = async (idempotency: { 'Idempotency-Key': string }): Promise<{ caseId: string }> => {
      if (kind === 'repair') {
        return unwrap(
          await api.POST('/api/v1/repairs', {
            params: { header: idempotency },
            body: { ...common, description: v.description as string, classification: v.classification as 'urgent', tags: (v.tags as never[]) ?? [], appointmentAt: toInstant(v.appointmentAt as string) },
          }),
        );
      }
      if (kind === 'complaint') {
        return unwrap(await api.POST('/api/v1/complaints', { params: { header: idempotency }, body: { ...common, description: v.description as string, severity: v.severity as never } }));
      }
      if (kind === 'request') {
        return unwrap(await api.POST('/api/v1/requests', { params: { header: idempotency }, body: { ...common, kind: v.requestKind as 'inquiry', content: v.description as string } }));
      }
      return unwrap(
        await api.POST('/api/v1/special-services', {
          params: { header: idempotency },
          body: { ...common, description: v.description as string, provider: v.provider as 'internal', requestedBy: toInstant(v.requestedBy as string)! },
        }),
      );
    };
    try {
      const answer = await keys.send({ kind, room: chosen.room, v }, openCase);
      setCreated(answer.caseId);
    } catch (e) {
      setError(e instanceof ApiProblem ? [e.detail, ...e.invalid.map((i) => `${i.name}: ${i.reason}`)].join('；') : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Card>
        <Result
          status="success"
          title={
            <span>
              {t('caseNumber')} <Typography.Text copyable strong data-testid="case-number">{created}</Typography.Text>
            </span>
          }
          subTitle={`${t('tellCaller')} ${created}`}
          extra={
            <Button type="primary" onClick={() => { setCreated(undefined); setChosen(undefined); setHouseholds(undefined); form.resetFields(); }}>
              {t('newCall')}
            </Button>
          }
        />
      </Card>
    );
  }

  const openRepair = open.some((c) => c.kind === 'repair');
  return (
    <Row gutter={[12, 12]}>
      <Col xs={24} lg={10}>
        <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('findCaller')}</h1>}>
          <Input.Search aria-label={t('phoneOrRoomOrName')} placeholder={t('phoneOrRoomOrName')} enterButton={t('search')} onSearch={(v) => void find(v)} allowClear />
          {households && households.length === 0 && <Alert style={{ marginTop: 12 }} type="info" title={t('noHousehold')} />}
          {households && households.length > 0 && (
            <List
              style={{ marginTop: 12 }}
              header={<strong>{t('households')}</strong>}
              dataSource={households}
              renderItem={(h) => (
                <List.Item actions={[<Button key="c" size="small" type={chosen?.householdId === h.householdId ? 'primary' : 'default'} onClick={() => void choose(h)} aria-label={`${t('choose')} ${h.room}`}>{t('choose')}</Button>]}>
                  <List.Item.Meta title={`${h.room}`} description={(h.contacts ?? []).map((c) => `${c.name ?? ''} ${c.phone ?? ''}`).join('；')} />
                </List.Item>
              )}
            />
          )}
          {chosen && (
            <div style={{ marginTop: 12 }}>
              <h2 style={{ fontSize: 16 }}>{t('openCases')} · {chosen.room}</h2>
              {openRepair && <Alert type="warning" showIcon title={t('openRepairHint')} style={{ marginBottom: 8 }} />}
              {open.length === 0 ? (
                <Typography.Text type="secondary">{t('noOpenCases')}</Typography.Text>
              ) : (
                <List size="small" dataSource={open} renderItem={(c) => <List.Item><Space wrap><Tag>{label(c.kind)}</Tag><strong>{c.caseId}</strong><span>{label(c.status)}</span><span>{time(c.receivedAt)}</span><span>{c.description}</span></Space></List.Item>} />
              )}
            </div>
          )}
        </Card>
      </Col>
      <Col xs={24} lg={14}>
        <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('record')}{chosen ? ` · ${chosen.room}` : ''}</h2>}>
          {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
          <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} disabled={!chosen} initialValues={{ channel: 'phone', classification: 'general', provider: 'internal', requestKind: 'inquiry', tags: [] }}>
            <Form.Item label={t('kind')}>
              <Radio.Group value={kind} onChange={(e) => setKind(e.target.value as Kind)} optionType="button" buttonStyle="solid" aria-label={t('kind')}
                options={(['repair', 'complaint', 'request', 'special_service'] as const).map((k) => ({ value: k, label: label(k) }))} />
            </Form.Item>
            <Row gutter={12}>
              <Col xs={24} sm={12}><Form.Item label={t('contactName')} name="contactName" rules={[{ required: true }]}><Input /></Form.Item></Col>
              <Col xs={24} sm={12}><Form.Item label={t('contactPhone')} name="contactPhone" rules={[{ required: true }]}><Input inputMode="tel" /></Form.Item></Col>
            </Row>
            <Form.Item label={t('channel')} name="channel">
              <Select aria-label={t('channel')} options={CHANNELS.map((c) => ({ value: c, label: label(c) }))} />
            </Form.Item>
            {kind === 'repair' && (
              <>
                <Form.Item label={t('classification')} name="classification" extra={t('classHelp')}>
                  <Radio.Group aria-label={t('classification')} options={(['urgent', 'general', 'major'] as const).map((c) => ({ value: c, label: label(c) }))} />
                </Form.Item>
                <Form.Item label={t('tags')} name="tags">
                  <Checkbox.Group options={(['water', 'electricity', 'neighbour', 'dangerous', 'leak'] as const).map((c) => ({ value: c, label: label(c) }))} />
                </Form.Item>
                <Form.Item label={t('appointmentAt')} name="appointmentAt">
                  <Input type="datetime-local" />
                </Form.Item>
              </>
            )}
            {kind === 'complaint' && (
              <Form.Item label={t('severity')} name="severity">
                <Select aria-label={t('severity')} allowClear options={(['general', 'important', 'major'] as const).map((c) => ({ value: c, label: label(c) }))} />
              </Form.Item>
            )}
            {kind === 'request' && (
              <Form.Item label={t('requestKind')} name="requestKind">
                <Radio.Group aria-label={t('requestKind')} options={(['inquiry', 'suggestion', 'help', 'praise'] as const).map((c) => ({ value: c, label: label(c) }))} />
              </Form.Item>
            )}
            {kind === 'special_service' && (
              <Row gutter={12}>
                <Col xs={24} sm={12}><Form.Item label={t('provider')} name="provider"><Radio.Group aria-label={t('provider')} options={(['internal', 'external'] as const).map((c) => ({ value: c, label: label(c) }))} /></Form.Item></Col>
                <Col xs={24} sm={12}><Form.Item label={t('requestedBy')} name="requestedBy" rules={[{ required: true }]}><Input type="datetime-local" /></Form.Item></Col>
              </Row>
            )}
            <Form.Item label={t('description')} name="description" rules={[{ required: true, min: 2 }]}>
              <Input.TextArea rows={3} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy} block>
              {t('submit')}
            </Button>
          </Form>
        </Card>
      </Col>
    </Row>
  );
}
