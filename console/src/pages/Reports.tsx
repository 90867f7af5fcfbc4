/**
 * The reports of docs/rules.md §7 as pages for supervisors and managers: P1 the month's complaint
 * analysis, P2 a day's repair progress, P3 the staff results and appraisal, and the month's return
 * visits (V4). Each reads the same operation the CSV comes from and links its CSV download, so the
 * page and the spreadsheet never disagree.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, useNavigate, useParams } from 'react-router';
import { Alert, Button, Card, Descriptions, Input, Segmented, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { api, ApiProblem, unwrap } from '../api';
import { useI18n, type MessageKey } from '../i18n';

const REPORTS = ['complaints', 'repair-progress', 'staff', 'return-visits'] as const;
type ReportName = (typeof REPORTS)[number];
const TITLES: Record<ReportName, MessageKey> = { complaints: 'reportComplaints', 'repair-progress': 'reportRepairProgress', staff: 'reportStaff', 'return-visits': 'reportReturnVisits' };

/** The property's wall-clock day and month (the reports count in Asia/Shanghai, like every time shown here). */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

const percent = (share: number | null | undefined) => (share === null || share === undefined ? '—' : `${Math.round(share * 1000) / 10}%`);
const hours = (h: number | null | undefined) => (h === null || h === undefined ? '—' : h.toFixed(1));

/** One report's answer for a period, loaded again when the period changes. */
function useReport<T>(load: () => Promise<T>, key: string): { data?: T; error?: string } {
  const [state, setState] = useState<{ key: string; data?: T; error?: string }>({ key });
  useEffect(() => {
    let stop = false;
    load().then(
      (data) => !stop && setState({ key, data }),
      (e: unknown) => !stop && setState({ key, error: e instanceof ApiProblem ? e.detail : String(e) }),
    );
    return () => {
      stop = true;
    };
    // `load` is rebuilt on every render; what it reads changes only with `key`.
  }, [key]);
  return state.key === key ? state : {};
}

/** An empty table's words in the text colour (Ant Design's own grey is too faint for WCAG AA). */
function Nothing() {
  const { t } = useI18n();
  return <Typography.Text type="secondary">{t('noneInPeriod')}</Typography.Text>;
}
const EMPTY = { emptyText: <Nothing /> };

function Csv({ href }: { href: string }) {
  const { t } = useI18n();
  return (
    <Button href={href} download data-testid="csv-link">
      {t('downloadCsv')}
    </Button>
  );
}

function Section({ title, children, extra }: { title: string; children: ReactNode; extra?: ReactNode }) {
  return (
    <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{title}</h2>} extra={extra}>
      {children}
    </Card>
  );
}

export function Reports() {
  const { report } = useParams();
  const { t } = useI18n();
  const navigate = useNavigate();
  const [month, setMonth] = useState(() => today().slice(0, 7));
  const [date, setDate] = useState(today);
  if (!REPORTS.includes(report as ReportName)) return <Navigate to="/reports/complaints" replace />;
  const name = report as ReportName;
  const period = name === 'repair-progress' ? date : month;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <h1 style={{ fontSize: 18, margin: 0 }}>{t('reports')} · {t(TITLES[name])}</h1>
      <Segmented block aria-label={t('reports')} value={name} onChange={(v) => navigate(`/reports/${v}`)} options={REPORTS.map((r) => ({ value: r, label: t(TITLES[r]) }))} style={{ overflowX: 'auto' }} />
      <Space wrap>
        {name === 'repair-progress' ? (
          <label>
            {t('date')} <Input type="date" value={date} onChange={(e) => e.target.value && setDate(e.target.value)} style={{ width: 170 }} />
          </label>
        ) : (
          <label>
            {t('month')} <Input type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} style={{ width: 170 }} />
          </label>
        )}
      </Space>
      {name === 'complaints' && <ComplaintAnalysis month={period} />}
      {name === 'repair-progress' && <RepairProgress date={period} />}
      {name === 'staff' && <StaffResults month={period} />}
      {name === 'return-visits' && <ReturnVisits month={period} />}
    </Space>
  );
}

function Problem({ error }: { error?: string }) {
  return error ? <Alert type="error" showIcon title={error} role="alert" /> : <Card loading />;
}

function ComplaintAnalysis({ month }: { month: string }) {
  const { t, label, time } = useI18n();
  const { data, error } = useReport(async () => unwrap(await api.GET('/api/v1/reports/complaints/{month}', { params: { path: { month } } })), month);
  if (!data) return <Problem error={error} />;
  type Row = (typeof data.byCategory)[number];
  const columns = (by: MessageKey, code = true): ColumnsType<Row> => [
    { title: t(by), dataIndex: 'key', render: (k: string) => (code ? label(k) : k) },
    { title: t('complaints'), dataIndex: 'complaints', align: 'right' },
    { title: t('resolved'), dataIndex: 'resolved', align: 'right' },
    { title: t('meanHours'), dataIndex: 'meanResolutionHours', align: 'right', render: hours },
    { title: t('medianHours'), dataIndex: 'medianResolutionHours', align: 'right', render: hours },
  ];
  const table = (rows: Row[], by: MessageKey, code = true) => <Table size="small" rowKey="key" pagination={false} scroll={{ x: true }} dataSource={rows} columns={columns(by, code)} locale={EMPTY} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Section title={`${t('reportComplaints')} · ${data.month}`} extra={<Csv href={`/api/v1/reports/complaints/${month}/csv`} />}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, md: 3 }} items={[
          { key: 'c', label: t('complaints'), children: data.total.complaints },
          { key: 'r', label: t('resolved'), children: data.total.resolved },
          { key: 'm', label: t('meanHours'), children: hours(data.total.meanResolutionHours) },
          { key: 'd', label: t('medianHours'), children: hours(data.total.medianResolutionHours) },
          { key: 'i', label: t('invalidCount'), children: data.invalid },
          { key: 'o', label: t('openAtMonthEnd'), children: data.openAtMonthEnd },
        ]} />
        <Typography.Text type="secondary">{data.generatedAt ? `${t('storedAt')} ${time(data.generatedAt)}` : t('computedLive')}</Typography.Text>
      </Section>
      <Section title={t('byCategory')}>{table(data.byCategory, 'category')}</Section>
      <Section title={t('bySeverity')}>{table(data.bySeverity, 'severityShort')}</Section>
      <Section title={t('byArea')}>{table(data.byArea, 'area', false)}</Section>
      <Section title={t('byChannel')}>{table(data.byChannel, 'channel')}</Section>
      <Section title={t('repeatIssues')}>
        <Table size="small" rowKey="issueKey" pagination={false} scroll={{ x: true }} dataSource={data.repeatIssues} locale={EMPTY}
          columns={[{ title: t('issue'), dataIndex: 'issueKey' }, { title: t('complaints'), dataIndex: 'complaints', align: 'right' }, { title: t('households'), dataIndex: 'households', align: 'right' }, { title: t('cases'), dataIndex: 'caseIds', render: (ids: string[]) => ids.join(', ') }]} />
      </Section>
      <Section title={t('repeatHouseholds')}>
        <Table size="small" rowKey="householdId" pagination={false} scroll={{ x: true }} dataSource={data.repeatHouseholds} locale={EMPTY}
          columns={[{ title: t('households'), dataIndex: 'householdId' }, { title: t('complaints'), dataIndex: 'complaints', align: 'right' }, { title: t('cases'), dataIndex: 'caseIds', render: (ids: string[]) => ids.join(', ') }]} />
      </Section>
    </Space>
  );
}

function RepairProgress({ date }: { date: string }) {
  const { t, label } = useI18n();
  const { data, error } = useReport(async () => unwrap(await api.GET('/api/v1/reports/repair-progress/{date}', { params: { path: { date } } })), date);
  if (!data) return <Problem error={error} />;
  const counts = (record: Record<string, number>) => (Object.keys(record).length ? <Space wrap size={4}>{Object.entries(record).map(([k, n]) => <Tag key={k}>{label(k)} {n}</Tag>)}</Space> : '—');
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Section title={`${t('reportRepairProgress')} · ${data.date}`} extra={<Csv href={`/api/v1/reports/repair-progress/${date}/csv`} />}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, md: 4 }} items={[
          { key: 'r', label: t('received'), children: data.received },
          { key: 'c', label: t('closedCount'), children: data.closed },
          { key: 'o', label: t('openAtEnd'), children: data.openAtEndOfDay },
          { key: 'b', label: t('openBreached'), children: data.openBreached },
          { key: 's', label: t('openByStatus'), children: counts(data.openByStatus) },
          { key: 'k', label: t('classification'), children: counts(data.openByClassification) },
        ]} />
      </Section>
      <Section title={t('byArea')}>
        <Table size="small" rowKey="areaId" pagination={false} scroll={{ x: true }} dataSource={data.byArea} locale={EMPTY}
          columns={[{ title: t('area'), dataIndex: 'areaId' }, { title: t('received'), dataIndex: 'received', align: 'right' }, { title: t('closedCount'), dataIndex: 'closed', align: 'right' }, { title: t('openAtEnd'), dataIndex: 'open', align: 'right' }]} />
      </Section>
      <Section title={t('openAtEnd')}>
        <Table size="small" rowKey="caseId" pagination={false} scroll={{ x: true }} dataSource={data.open} locale={EMPTY}
          columns={[
            { title: t('case'), dataIndex: 'caseId' },
            { title: t('area'), dataIndex: 'areaId' },
            { title: t('classification'), dataIndex: 'classification', render: (c: string | null) => label(c) },
            { title: t('status'), dataIndex: 'status', render: (s: string) => label(s) },
            { title: t('assignee'), dataIndex: 'assigneeId', render: (a: string | null) => a ?? '—' },
            { title: t('slaState'), dataIndex: 'slaState', render: (s: string) => label(s) },
            { title: t('ageHours'), dataIndex: 'ageHours', align: 'right', render: hours },
          ]} />
      </Section>
    </Space>
  );
}

function StaffResults({ month }: { month: string }) {
  const { t, label } = useI18n();
  const results = useReport(async () => unwrap(await api.GET('/api/v1/reports/staff/{month}', { params: { path: { month } } })), month);
  const appraisal = useReport(async () => unwrap(await api.GET('/api/v1/appraisals/{month}', { params: { path: { month } } })), month);
  const score = (v: number | null) => (v === null ? '—' : String(v));
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Section title={`${t('reportStaff')} · ${month}`} extra={<Csv href={`/api/v1/reports/staff/${month}/csv`} />}>
        {!results.data ? <Problem error={results.error} /> : (
          <Table size="small" rowKey="staffId" pagination={false} scroll={{ x: true }} dataSource={results.data.staff} locale={EMPTY}
            columns={[
              { title: t('staffMember'), dataIndex: 'staffId' },
              { title: t('deadlinesMet'), dataIndex: 'deadlinesMet', align: 'right' },
              { title: t('deadlinesMissed'), dataIndex: 'deadlinesMissed', align: 'right' },
              { title: t('metRate'), dataIndex: 'metRate', align: 'right', render: percent },
              { title: t('satisfied'), dataIndex: 'returnVisitsSatisfied', align: 'right' },
              { title: t('unsatisfied'), dataIndex: 'returnVisitsUnsatisfied', align: 'right' },
              { title: t('satisfactionRate'), dataIndex: 'satisfactionRate', align: 'right', render: percent },
              { title: t('escalationsCaused'), dataIndex: 'escalationsCaused', align: 'right' },
            ]} />
        )}
      </Section>
      <Section title={`${t('appraisal')} · ${month}`} extra={<Csv href={`/api/v1/appraisals/${month}/csv`} />}>
        {!appraisal.data ? <Problem error={appraisal.error} /> : (
          <Table size="small" rowKey="staffId" pagination={false} scroll={{ x: true }} dataSource={appraisal.data.staff} locale={EMPTY}
            columns={[
              { title: t('staffMember'), dataIndex: 'staffId' },
              { title: t('roles'), dataIndex: 'roles', render: (roles: string[]) => roles.map(label).join('、') },
              { title: t('resultsScore'), dataIndex: 'resultsScore', align: 'right', render: score },
              { title: t('conduct'), dataIndex: 'conduct', align: 'right', render: score },
              { title: t('diligence'), dataIndex: 'diligence', align: 'right', render: score },
              { title: t('ability'), dataIndex: 'ability', align: 'right', render: score },
              { title: t('checks'), dataIndex: 'checks', align: 'right', render: score },
              { title: t('composite'), dataIndex: 'composite', align: 'right', render: (v: number | null) => <strong>{score(v)}</strong> },
              { title: t('missing'), dataIndex: 'missing', render: (parts: string[]) => parts.map((p) => label(`part:${p}`)).join('、') || '—' },
            ]} />
        )}
      </Section>
    </Space>
  );
}

function ReturnVisits({ month }: { month: string }) {
  const { t, label, time } = useI18n();
  const { data, error } = useReport(async () => unwrap(await api.GET('/api/v1/reports/return-visits/{month}', { params: { path: { month } } })), month);
  if (!data) return <Problem error={error} />;
  type Counts = typeof data.repairs.total;
  const countColumns: ColumnsType<Counts> = [
    { title: t('subjects'), dataIndex: 'subjects', align: 'right' },
    { title: t('visited'), dataIndex: 'visited', align: 'right' },
    { title: t('satisfied'), dataIndex: 'satisfied', align: 'right' },
    { title: t('unsatisfied'), dataIndex: 'unsatisfied', align: 'right' },
    { title: t('unreachable'), dataIndex: 'unreachable', align: 'right' },
    { title: t('exempted'), dataIndex: 'exempted', align: 'right' },
    { title: t('openVisits'), dataIndex: 'open', align: 'right' },
    { title: t('notYet'), dataIndex: 'notYet', align: 'right' },
    { title: t('overdueCount'), dataIndex: 'overdue', align: 'right' },
    { title: t('satisfiedShare'), dataIndex: 'satisfiedShare', align: 'right', render: percent },
  ];
  const total = (counts: Counts) => (
    <Descriptions size="small" column={{ xs: 2, sm: 3, md: 5 }} items={[
      { key: 's', label: t('subjects'), children: counts.subjects },
      { key: 'v', label: t('visited'), children: `${counts.visited} (${percent(counts.visitedShare)})` },
      { key: 'ok', label: t('satisfied'), children: <span data-testid="visits-satisfied">{counts.satisfied}</span> },
      { key: 'no', label: t('unsatisfied'), children: counts.unsatisfied },
      { key: 'u', label: t('unreachable'), children: `${counts.unreachable} (${percent(counts.unreachableShare)})` },
      { key: 'e', label: t('exempted'), children: `${counts.exempted} (${percent(counts.exemptedShare)})` },
      { key: 'o', label: t('openVisits'), children: counts.open },
      { key: 'n', label: t('notYet'), children: counts.notYet },
      { key: 'd', label: t('overdueCount'), children: counts.overdue },
      { key: 'p', label: t('satisfiedShare'), children: percent(counts.satisfiedShare) },
    ]} />
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Section title={`${t('reportReturnVisits')} · ${data.month} · ${label('repair')}`} extra={<Csv href={`/api/v1/reports/return-visits/${month}/csv`} />}>
        {total(data.repairs.total)}
        <Typography.Text type="secondary">{t('asOf')} {time(data.asOf)}</Typography.Text>
      </Section>
      <Section title={`${label('repair')} · ${t('byArea')}`}>
        <Table size="small" rowKey="areaId" pagination={false} scroll={{ x: true }} dataSource={data.repairs.byArea} locale={EMPTY}
          columns={[{ title: t('area'), dataIndex: 'areaId' }, ...(countColumns as ColumnsType<(typeof data.repairs.byArea)[number]>)]} />
      </Section>
      <Section title={`${label('repair')} · ${t('byEngineer')}`}>
        <Table size="small" rowKey={(r) => r.engineerId ?? '—'} pagination={false} scroll={{ x: true }} dataSource={data.repairs.byEngineer} locale={EMPTY}
          columns={[{ title: t('engineer'), dataIndex: 'engineerId', render: (e: string | null) => e ?? '—' }, ...(countColumns as ColumnsType<(typeof data.repairs.byEngineer)[number]>)]} />
      </Section>
      <Section title={label('complaint')}>{total(data.complaints.total)}</Section>
      <Section title={t('exemptions')}>
        <Table size="small" rowKey="visitCaseId" pagination={false} scroll={{ x: true }} dataSource={data.exemptions} locale={EMPTY}
          columns={[{ title: t('case'), dataIndex: 'subjectCaseId' }, { title: t('kind'), dataIndex: 'kind', render: (k: string) => label(k) }, { title: t('area'), dataIndex: 'areaId' }, { title: t('reason'), dataIndex: 'reason' }]} />
      </Section>
      <Section title={t('overdueVisits')}>
        <Table size="small" rowKey="visitCaseId" pagination={false} scroll={{ x: true }} dataSource={data.overdue} locale={EMPTY}
          columns={[
            { title: t('case'), dataIndex: 'subjectCaseId' },
            { title: t('kind'), dataIndex: 'kind', render: (k: string) => label(k) },
            { title: t('area'), dataIndex: 'areaId' },
            { title: t('due'), dataIndex: 'dueAt', render: (v: string) => time(v) },
            { title: t('doneAt'), dataIndex: 'doneAt', render: (v: string | null) => time(v) },
          ]} />
      </Section>
    </Space>
  );
}
