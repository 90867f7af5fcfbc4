import { ConfigError, loadConfig } from '../../config';

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
