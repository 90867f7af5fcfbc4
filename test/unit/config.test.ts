import { s3SettingsOf } from '../../api/s3-store';
import { assertDeployable, ConfigError, DeploymentError, deploymentProblems, loadConfig } from '../../config';

describe('configuration', () => {
  it('uses the embedded default for every unset connection variable', () => {
    const config = loadConfig({});
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.PORT).toBe(3000);
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
  });

  it('accepts real deployments', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      DATABASE_URL: 'postgres://app:secret@db:5432/service_centre',
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      PORT: '8080',
    });
    expect(config.PORT).toBe(8080);
  });

  it('names every bad variable without echoing its value (it may be a secret)', () => {
    let error: unknown;
    try {
      loadConfig({ TEMPORAL_ADDRESS: 'temporal', DATABASE_URL: 'mysql://root:hunter2@db/x', SMTP_URL: 'http://mail', PORT: '99999' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect((error as ConfigError).problems).toHaveLength(4);
    expect(message).toMatch(/TEMPORAL_ADDRESS: must be host:port/);
    expect(message).toMatch(/DATABASE_URL: must be a URL starting with postgres:\/\/ or postgresql:\/\//);
    expect(message).toMatch(/SMTP_URL/);
    expect(message).toMatch(/PORT/);
    expect(message).not.toContain('hunter2');
  });

  it("sizes the worker's cache of open cases only when told to, and refuses a cache of fewer than two", () => {
    expect(loadConfig({}).WORKER_MAX_CACHED_WORKFLOWS).toBeUndefined();
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '10000' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(10_000);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  });

  it('refuses a cap on openings while deadlines fall due above the cap the rest of the time, naming both', () => {
    expect(loadConfig({ API_MAX_OPENINGS: '8', API_MAX_OPENINGS_NEAR_DEADLINES: '8' }).API_MAX_OPENINGS_NEAR_DEADLINES).toBe(8);
    expect(loadConfig({ API_MAX_OPENINGS: '2' }).API_MAX_OPENINGS_NEAR_DEADLINES).toBe(1);
    let problems: string[] = [];
    try {
      loadConfig({ API_MAX_OPENINGS: '2', API_MAX_OPENINGS_NEAR_DEADLINES: '3' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^API_MAX_OPENINGS_NEAR_DEADLINES: .*\(3\).*API_MAX_OPENINGS \(2\)/);
  });

  it('takes the S3 attachment store all together or not at all, naming each missing variable and never echoing the secret', () => {
    const s3 = {
      ATTACHMENTS_S3_ENDPOINT: 'http://minio:9000',
      ATTACHMENTS_S3_BUCKET: 'attachments',
      ATTACHMENTS_S3_REGION: 'us-east-1',
      ATTACHMENTS_S3_ACCESS_KEY_ID: 'service-centre',
      ATTACHMENTS_S3_SECRET_ACCESS_KEY: 'hunter2-but-longer',
    };
    expect(s3SettingsOf(loadConfig({}))).toBeUndefined();
    expect(s3SettingsOf(loadConfig(s3))).toEqual({ endpoint: 'http://minio:9000', bucket: 'attachments', region: 'us-east-1', accessKeyId: 'service-centre', secretAccessKey: 'hunter2-but-longer' });

    const partial = () => loadConfig({ ATTACHMENTS_S3_ENDPOINT: s3.ATTACHMENTS_S3_ENDPOINT, ATTACHMENTS_S3_SECRET_ACCESS_KEY: s3.ATTACHMENTS_S3_SECRET_ACCESS_KEY });
    expect(partial).toThrow(ConfigError);
    const problems = (() => {
      try {
        partial();
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    })();
    expect(problems.map((p) => p.split(':')[0])).toEqual(['ATTACHMENTS_S3_BUCKET', 'ATTACHMENTS_S3_REGION', 'ATTACHMENTS_S3_ACCESS_KEY_ID']);
    expect(problems.join('\n')).not.toContain('hunter2');

    expect(() => loadConfig({ ...s3, ATTACHMENTS_DIR: '/var/lib/attachments' })).toThrow(/ATTACHMENTS_DIR: .*set one or the other/);
    expect(() => loadConfig({ ...s3, ATTACHMENTS_S3_BUCKET: 'Photos_2026' })).toThrow(/ATTACHMENTS_S3_BUCKET: must be an S3 bucket name/);
    expect(() => loadConfig({ ...s3, ATTACHMENTS_S3_ENDPOINT: 'minio:9000' })).toThrow(/ATTACHMENTS_S3_ENDPOINT: must be a URL/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('reads TRUST_PROXY as express does — true/false, a number of hops, or proxies by address, subnet or name — and refuses anything else', () => {
    expect(loadConfig({}).TRUST_PROXY).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::1' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    for (const bad of ['yes', 'proxy.example.com', '10.0.0.0/8/8', '10.0.0.0/x']) expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
  });
});

describe('deployment sanity (a production start: the API and the worker)', () => {
  const production = {
    TEMPORAL_ADDRESS: 'temporal:7233',
    DATABASE_URL: 'postgres://app:secret@db:5432/service_centre',
    SMTP_URL: 'smtps://service-centre:hunter2@smtp.example.com:465',
    PUBLIC_BASE_URL: 'https://service.example.com',
    TEMPORAL_UI_URL: 'https://temporal.service.example.com',
  };
  const problemsOf = (env: Record<string, string>) => deploymentProblems(loadConfig({ ...production, ...env }));

  it('accepts real public addresses and a real mail server, and a local relay on port 25', () => {
    expect(problemsOf({})).toEqual([]);
    expect(problemsOf({ SMTP_URL: 'smtp://localhost:25', TEMPORAL_UI_URL: '' })).toEqual([]);
  });

  it.each([
    ['PUBLIC_BASE_URL', 'http://localhost:3000'],
    ['PUBLIC_BASE_URL', 'http://127.0.0.1:3000'],
    ['PUBLIC_BASE_URL', 'https://app.localhost'],
    ['TEMPORAL_UI_URL', 'http://localhost:8080'],
    ['TEMPORAL_UI_URL', 'http://[::1]:8233'],
    ['TEMPORAL_UI_URL', 'http://0.0.0.0:8080'],
  ])('refuses %s pointing at this machine (%s), naming the variable', (variable, value) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable} points at localhost`));
  });

  it('refuses a production start without PUBLIC_BASE_URL: the links in mails would point at localhost', () => {
    expect(problemsOf({ PUBLIC_BASE_URL: '' })).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL is not set/)]);
  });

  it("refuses the demo mail sinks — docker-compose.yml's Mailpit (port 1025) and npm start's sink — without echoing SMTP_URL", () => {
    for (const url of ['smtp://mail:1025', 'smtp://user:hunter2@mailpit:1025', 'smtp://127.0.0.1:2525']) {
      const problems = problemsOf({ SMTP_URL: url });
      expect(problems).toEqual([expect.stringMatching(/^SMTP_URL is a demo mail sink/)]);
      expect(problems.join('\n')).not.toContain('hunter2');
    }
    expect(problemsOf({ SMTP_URL: 'smtp://127.0.0.1:2626', EMBEDDED_SMTP_PORT: '2626' })).toHaveLength(1);
  });

  it('lists every problem in one error, and ALLOW_DEMO_SETTINGS=true runs the production processes as a demo', () => {
    const demo = { PUBLIC_BASE_URL: 'http://localhost:3000', TEMPORAL_UI_URL: 'http://localhost:8080', SMTP_URL: 'smtp://mail:1025' };
    let error: unknown;
    try {
      assertDeployable(loadConfig({ ...production, ...demo }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeploymentError);
    expect((error as DeploymentError).problems.map((p) => p.split(' ')[0])).toEqual(['PUBLIC_BASE_URL', 'TEMPORAL_UI_URL', 'SMTP_URL']);
    expect((error as DeploymentError).message).toContain('ALLOW_DEMO_SETTINGS=true');
    expect(() => assertDeployable(loadConfig({ ...production, ...demo, ALLOW_DEMO_SETTINGS: 'true' }))).not.toThrow();
    expect(loadConfig({ ALLOW_DEMO_SETTINGS: 'false' }).ALLOW_DEMO_SETTINGS).toBe(false);
    expect(() => loadConfig({ ALLOW_DEMO_SETTINGS: 'sure' })).toThrow(/ALLOW_DEMO_SETTINGS/);
  });
});
