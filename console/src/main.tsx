/**
 * The staff console (docs/console.md): one page for the front desk, the engineer's phone, the
 * butler's day, the supervisor's board and the reports, zh-CN first with English a click away. Who is signed in decides the menu;
 * the API decides what each may do.
 */
import { StrictMode, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Space, Spin, Typography } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { api, setCsrfToken, unwrap } from './api';
import { I18nContext, makeI18n, useI18n, type Lang } from './i18n';
import { SessionContext, useSessionContext, type Me } from './session';
import { SignIn, SetPassword } from './pages/SignIn';
import { Desk } from './pages/Desk';
import { Orders, Order } from './pages/Orders';
import { Board, Timeline } from './pages/Board';
import { Butler } from './pages/Butler';
import { Reports } from './pages/Reports';

type SessionAnswer = { staff: Me | null; csrfToken: string; temporalUiUrl: string | null; temporalNamespace: string };

/** Ant Design's palette with darker blues and greys, so every text meets WCAG AA contrast (axe-core checks it). */
const THEME = { colorPrimary: '#0e42d2', colorLink: '#0e42d2', colorInfo: '#0e42d2', colorWarning: '#ad4e00', colorError: '#c41d1d', colorSuccess: '#237804', colorTextDescription: 'rgba(0,0,0,0.65)', colorTextPlaceholder: 'rgba(0,0,0,0.55)', colorTextTertiary: 'rgba(0,0,0,0.6)' };

function homeOf(me: Me): string {
  if (me.roles.includes('engineer')) return '/orders';
  if (me.roles.some((r) => r === 'supervisor' || r === 'manager')) return '/board';
  if (me.roles.includes('butler')) return '/butler';
  return '/desk';
}

function Shell({ children }: { children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const { me, signOut } = useSessionContext();
  const navigate = useNavigate();
  const location = useLocation();
  const items = [
    me?.roles.some((r) => ['frontdesk', 'callcenter', 'butler', 'supervisor', 'manager'].includes(r)) && { key: '/desk', label: t('desk') },
    me?.roles.includes('engineer') && { key: '/orders', label: t('orders') },
    me?.roles.some((r) => r === 'butler' || r === 'supervisor') && { key: '/butler', label: t('butler') },
    me?.roles.some((r) => r === 'supervisor' || r === 'manager') && { key: '/board', label: t('board') },
    me?.roles.some((r) => r === 'supervisor' || r === 'manager') && { key: '/reports', label: t('reports') },
  ].filter(Boolean) as { key: string; label: string }[];
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '0 12px', background: '#0e42d2' }}>
        <Typography.Text strong style={{ color: '#fff', whiteSpace: 'nowrap' }}>
          {t('appTitle')}
        </Typography.Text>
        {me && (
          <Menu
            theme="dark"
            mode="horizontal"
            selectedKeys={[items.find((i) => location.pathname.startsWith(i.key))?.key ?? '']}
            items={items}
            onClick={(e) => navigate(e.key)}
            style={{ flex: 1, minWidth: 0, background: 'transparent' }}
          />
        )}
        <Space style={{ marginLeft: 'auto' }}>
          <Button size="small" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} lang={lang === 'zh' ? 'en' : 'zh-CN'}>
            {t('language')}
          </Button>
          {me && (
            <Button size="small" onClick={() => void signOut()} aria-label={`${t('signOut')} ${me.id}`}>
              {t('signOut')}
            </Button>
          )}
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 12, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        <main>{children}</main>
      </Layout.Content>
    </Layout>
  );
}


function Protected({ children }: { children: ReactNode }) {
  const { me } = useSessionContext();
  const location = useLocation();
  if (!me) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname)}`} replace />;
  return <>{children}</>;
}

function Root() {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem('console.lang') === 'en' ? 'en' : 'zh'));
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem('console.lang', next);
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const i18n = useMemo(() => makeI18n(lang, setLang), [lang, setLang]);
  const [session, setSession] = useState<SessionAnswer | undefined>();
  const load = useCallback(async () => {
    const answer = unwrap(await api.GET('/api/v1/session')) as SessionAnswer;
    setCsrfToken(answer.csrfToken);
    setSession(answer);
    return answer;
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const context = useMemo(
    () => ({
      me: session?.staff ?? null,
      temporalUiUrl: session?.temporalUiUrl ?? null,
      signedIn: (answer: SessionAnswer) => {
        setCsrfToken(answer.csrfToken);
        setSession(answer);
      },
      signOut: async () => {
        await api.DELETE('/api/v1/session');
        await load();
      },
      home: homeOf,
    }),
    [session, load],
  );
  return (
    <I18nContext.Provider value={i18n}>
      <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: { ...THEME, motion: !window.matchMedia('(prefers-reduced-motion: reduce)').matches }, components: { Menu: { darkItemColor: '#ffffff', darkItemBg: '#0e42d2', darkItemSelectedBg: '#002c8c', darkItemHoverColor: '#ffffff' } } }} button={{ autoInsertSpace: false }}>
        <AntApp>
          {!session ? (
            <Spin fullscreen aria-label="loading" />
          ) : (
            <SessionContext.Provider value={context}>
              <BrowserRouter basename="/console">
                <Shell>
                  <Routes>
                    <Route path="/sign-in" element={<SignIn />} />
                    <Route path="/set-password" element={<SetPassword />} />
                    <Route path="/desk" element={<Protected><Desk /></Protected>} />
                    <Route path="/orders" element={<Protected><Orders /></Protected>} />
                    <Route path="/orders/:caseId" element={<Protected><Order /></Protected>} />
                    <Route path="/board" element={<Protected><Board /></Protected>} />
                    <Route path="/cases/:caseId/timeline" element={<Protected><Timeline /></Protected>} />
                    <Route path="/butler" element={<Protected><Butler /></Protected>} />
                    <Route path="/reports/:report?" element={<Protected><Reports /></Protected>} />
                    <Route path="*" element={context.me ? <Navigate to={homeOf(context.me)} replace /> : <Navigate to="/sign-in" replace />} />
                  </Routes>
                </Shell>
              </BrowserRouter>
            </SessionContext.Provider>
          )}
        </AntApp>
      </ConfigProvider>
    </I18nContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
