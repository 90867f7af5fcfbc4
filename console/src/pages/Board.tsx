/**
 * The supervisor's board: every open case in warning or breach, by area, assignee and rule,
 * refreshed every few seconds from Postgres (short polling: the at-risk set is small and its query
 * is one index scan; no connection is held per supervisor as server-sent events would). And a case's
 * SLA timeline from its audit log, with a link to its workflow in the Temporal UI.
 */
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Alert, Card, Descriptions, List, Segmented, Space, Table, Tag, Timeline as AntTimeline, Typography } from 'antd';
import { api, unwrap } from '../api';
import { useI18n } from '../i18n';

type BoardAnswer = { generatedAt: string; items: { caseId: string; kind: string; status: string; severity: string | null; areaId: string; room: string | null; assigneeId: string | null; slaState: 'warning' | 'breached'; escalated: boolean; rule: string | null; deadline: string | null; deadlineDueAt: string | null }[]; counts: { byArea: Record<string, number>; byAssignee: Record<string, number>; byRule: Record<string, number> } };

export const BOARD_REFRESH_MS = 3000;

export function Board() {
  const { t, label, time } = useI18n();
  const [board, setBoard] = useState<BoardAnswer>();
  const [error, setError] = useState<string>();
  const [group, setGroup] = useState<'byArea' | 'byAssignee' | 'byRule'>('byArea');
  const [filter, setFilter] = useState<string>();
  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const answer = unwrap(await api.GET('/api/v1/board/at-risk', { params: { query: {} } }));
        if (!stop) {
          setBoard(answer);
          setError(undefined);
        }
      } catch (e) {
        if (!stop) setError(String(e));
      }
    };
    void load();
    const timer = setInterval(() => void load(), BOARD_REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);
  const key = (i: BoardAnswer['items'][number]) => (group === 'byArea' ? i.areaId : group === 'byAssignee' ? (i.assigneeId ?? '—') : (i.rule ?? '—'));
  const rows = (board?.items ?? []).filter((i) => !filter || key(i) === filter);
  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('atRisk')}</h1>} extra={board && <Typography.Text type="secondary" role="status">{t('refreshed')} {time(board.generatedAt)}</Typography.Text>}>
      {error && <Alert type="error" title={error} />}
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented aria-label={t('atRisk')} value={group} onChange={(v) => { setGroup(v as typeof group); setFilter(undefined); }}
          options={[{ value: 'byArea', label: t('byArea') }, { value: 'byAssignee', label: t('byAssignee') }, { value: 'byRule', label: t('byRule') }]} />
        <Tag.CheckableTag checked={!filter} onChange={() => setFilter(undefined)}>{t('all')} {board?.items.length ?? 0}</Tag.CheckableTag>
        {Object.entries(board?.counts[group] ?? {}).map(([k, n]) => (
          <Tag.CheckableTag key={k} checked={filter === k} onChange={() => setFilter(filter === k ? undefined : k)}>{k} {n}</Tag.CheckableTag>
        ))}
      </Space>
      <Table
        size="small"
        rowKey="caseId"
        loading={!board}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: t('nothingAtRisk') }}
        dataSource={rows}
        columns={[
          { title: t('case'), dataIndex: 'caseId', render: (id: string) => <Link to={`/cases/${id}/timeline`} data-testid={`board-${id}`}>{id}</Link> },
          { title: t('status'), dataIndex: 'slaState', render: (s: string, r) => <Space size={4}><Tag color={s === 'breached' ? '#c41d1d' : '#ad4e00'}>{label(s)}</Tag>{r.escalated && <Tag color="#531dab">↑</Tag>}</Space> },
          { title: t('kind'), dataIndex: 'kind', render: (k: string, r) => `${label(k)} · ${label(r.status)}` },
          { title: t('rule'), dataIndex: 'rule', render: (rule: string | null, r) => (rule ? `${rule} ${label(`deadline:${r.deadline}`)}` : '—') },
          { title: t('due'), dataIndex: 'deadlineDueAt', render: (v: string | null) => time(v) },
          { title: t('area'), dataIndex: 'areaId' },
          { title: t('room'), dataIndex: 'room' },
          { title: t('assignee'), dataIndex: 'assigneeId' },
        ]}
      />
    </Card>
  );
}

type TimelineAnswer = { caseId: string; kind: string; status: string; areaId: string; assigneeId: string | null; slaState: string; workflowId: string; temporalUiUrl: string | null; clocks: { name: string; rule: string; startedAt: string | null; dueAt: string; warnedAt: string | null; warned: { staffId: string; status: string }[]; outcome: string; outcomeAt: string | null; ownerId: string | null; pauses: { at: string; reason: string; resumedAt: string | null }[]; escalations: { at: string; rule: string; to: string[]; reason: string; told: { staffId: string; status: string }[] }[] }[]; events: { seq: number; action: string; actorId: string; at: string }[] };

const COLORS: Record<string, string> = { met: '#237804', missed: '#c41d1d', pending: '#0e42d2', moved: '#595959', paused: '#ad4e00' };

export function Timeline() {
  const { caseId } = useParams();
  const { t, label, time } = useI18n();
  const [answer, setAnswer] = useState<TimelineAnswer>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const found = unwrap(await api.GET('/api/v1/cases/{caseId}/timeline', { params: { path: { caseId: caseId! } } }));
        if (!stop) setAnswer(found as TimelineAnswer);
      } catch (e) {
        if (!stop) setError(String(e));
      }
    };
    void load();
    const timer = setInterval(() => void load(), BOARD_REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [caseId]);
  if (!answer) return error ? <Alert type="error" title={error} role="alert" /> : <Card loading />;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Link to="/board">← {t('back')}</Link>
      <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('timeline')} · {answer.caseId}</h1>}
        extra={answer.temporalUiUrl && <a href={answer.temporalUiUrl} target="_blank" rel="noreferrer">{t('openInTemporal')}</a>}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, md: 4 }} items={[
          { key: 'k', label: t('kind'), children: label(answer.kind) },
          { key: 's', label: t('status'), children: label(answer.status) },
          { key: 'a', label: t('area'), children: answer.areaId },
          { key: 'p', label: t('assignee'), children: answer.assigneeId ?? '—' },
        ]} />
      </Card>
      <List
        header={<h2 style={{ fontSize: 16, margin: 0 }}>{t('clock')}</h2>}
        dataSource={answer.clocks}
        renderItem={(c) => (
          <List.Item data-testid={`clock-${c.name}-${c.outcome}`}>
            <div style={{ width: '100%' }}>
              <Space wrap>
                <strong>{label(`deadline:${c.name}`)} ({c.rule})</strong>
                <Tag color={COLORS[c.outcome]}>{label(c.outcome)}</Tag>
              </Space>
              <AntTimeline
                style={{ marginTop: 8 }}
                items={[
                  { color: '#0e42d2', content: `${t('started')} ${time(c.startedAt)}` },
                  ...c.pauses.flatMap((p) => [{ color: '#ad4e00', content: `${t('pauses')} ${time(p.at)} · ${p.reason}${p.resumedAt ? ` · ${t('resumed')} ${time(p.resumedAt)}` : ''}` }]),
                  ...(c.warnedAt ? [{ color: '#ad4e00', content: `${t('warnedAt')} ${time(c.warnedAt)} · ${t('told')} ${c.warned.map((w) => w.staffId).join(', ') || '—'}` }] : []),
                  { color: '#595959', content: `${t('due')} ${time(c.dueAt)}` },
                  ...(c.outcomeAt ? [{ color: COLORS[c.outcome], content: `${label(c.outcome)} ${time(c.outcomeAt)}${c.ownerId ? ` · ${c.ownerId}` : ''}` }] : []),
                  ...c.escalations.map((e) => ({ color: '#c41d1d', content: `${t('escalations')} ${time(e.at)} → ${e.to.map(label).join(', ')} · ${t('told')} ${e.told.map((x) => `${x.staffId} (${label(x.status)})`).join(', ') || '—'}` })),
                ]}
              />
            </div>
          </List.Item>
        )}
      />
      <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('events')}</h2>}>
        <Table size="small" rowKey="seq" pagination={false} scroll={{ x: true }} dataSource={answer.events}
          columns={[{ title: '#', dataIndex: 'seq' }, { title: t('events'), dataIndex: 'action', render: (a: string) => label(`event:${a}`) }, { title: t('actor'), dataIndex: 'actorId', render: (a: string) => (a === 'system' ? '—' : a) }, { title: t('at'), dataIndex: 'at', render: (v: string) => time(v) }]} />
      </Card>
    </Space>
  );
}
