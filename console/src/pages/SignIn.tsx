import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { api, ApiProblem, unwrap } from '../api';
import { useI18n } from '../i18n';
import { useSessionContext, type Me } from '../session';

export function SignIn() {
  const { t } = useI18n();
  const { signedIn, home } = useSessionContext();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ staffId: string; password: string }>();

  const submit = async (values: { staffId: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = unwrap(await api.POST('/api/v1/session', { body: { staffId: values.staffId.trim(), password: values.password } }));
      signedIn(answer as never);
      const me = answer.staff as Me;
      navigate(params.get('next') && params.get('next') !== '/sign-in' ? params.get('next')! : home(me), { replace: true });
    } catch (e) {
      setError(e instanceof ApiProblem ? e.detail : String(e));
    } finally {
      setBusy(false);
    }
  };
  const reset = async () => {
    const staffId = String(form.getFieldValue('staffId') ?? '').trim();
    if (!staffId) return form.validateFields(['staffId']);
    await api.POST('/api/v1/session/password-reset', { body: { staffId } });
    setNotice(t('resetSent'));
  };

  return (
    <Card style={{ maxWidth: 420, margin: '24px auto' }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('signIn')}
      </Typography.Title>
      {params.get('set') && <Alert type="success" showIcon title={t('passwordSet')} style={{ marginBottom: 12 }} />}
      {notice && <Alert type="info" showIcon title={notice} style={{ marginBottom: 12 }} />}
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item label={t('staffId')} name="staffId" rules={[{ required: true, message: t('staffId') }]}>
          <Input autoComplete="username" placeholder="S-FD1" />
        </Form.Item>
        <Form.Item label={t('password')} name="password" rules={[{ required: true, message: t('password') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('signIn')}
        </Button>
        <Button type="link" block onClick={() => void reset()} style={{ marginTop: 8 }}>
          {t('forgot')}
        </Button>
      </Form>
    </Card>
  );
}

export function SetPassword() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const token = window.location.hash.replace(/^#/, '');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (values: { password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      unwrap(await api.POST('/api/v1/session/password', { body: { token, password: values.password } }));
      // The token leaves the address bar once it is spent.
      history.replaceState(null, '', window.location.pathname);
      navigate('/sign-in?set=1', { replace: true });
    } catch (e) {
      setError(e instanceof ApiProblem ? e.detail : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card style={{ maxWidth: 420, margin: '24px auto' }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('setPassword')}
      </Typography.Title>
      {!token && <Alert type="warning" showIcon title={t('linkMissing')} />}
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      <Form layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item label={t('newPassword')} name="password" rules={[{ required: true, min: 10, message: t('newPassword') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy} disabled={!token}>
          {t('setPassword')}
        </Button>
      </Form>
    </Card>
  );
}
