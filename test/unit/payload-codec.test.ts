/** The payload codec (payload-codec.ts): which key seals what, rotation, and what it refuses. Pure: no server. */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../../config';
import { audiencesReadableBy } from '../../domain/payload-audience';
import { payloadAudienceOf, workflowIds } from '../../domain/workflow-ids';
import { isSealed, keyIdOf, newPayloadKey, payloadKeyring, PayloadKeysError, SealingCodec } from '../../payload-codec';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys';

const keyring = payloadKeyring(TEST_PAYLOAD_KEYS);
const codec = new SealingCodec(keyring);
const resident = { contactName: '王先生', contactPhone: '13800138000', description: '厨房水管漏水' };
const payload = (value: unknown = resident) => defaultPayloadConverter.toPayload(value) as Payload;
const valueOf = (p: Payload) => defaultPayloadConverter.fromPayload(p);
const asText = (p: Payload) => Buffer.from(p.data ?? []).toString('utf8') + Object.values(p.metadata ?? {}).map((v) => Buffer.from(v ?? []).toString('utf8')).join();

describe('the payload codec', () => {
  it('seals a payload whole — no name, phone or text, not even its JSON encoding, readable — and opens it again', async () => {
    const [sealed] = await codec.encode([payload()], { type: 'workflow', namespace: 'default', workflowId: workflowIds.repair('R20261205-0001') });
    expect(isSealed(sealed)).toBe(true);
    expect(keyIdOf(sealed)).toBe('service-test');
    expect(asText(sealed)).not.toMatch(/王先生|13800138000|厨房|json\/plain/);
    const [opened] = await codec.decode([sealed]);
    expect(valueOf(opened)).toEqual(resident);
  });

  it('C2: an employee complaint is sealed with hr’s key, a report with audit’s — its activities too — and a customer complaint with the service centre’s', async () => {
    const sealedFor = async (workflowId: string, type: 'workflow' | 'activity' = 'workflow') =>
      keyIdOf((await codec.encode([payload()], type === 'workflow' ? { type, namespace: 'default', workflowId } : { type, namespace: 'default', workflowId, isLocal: false }))[0]);
    expect(await sealedFor(workflowIds.complaint('C20261205-0001', 'employee'))).toBe('hr-test');
    expect(await sealedFor(workflowIds.complaint('C20261205-0002', 'report'))).toBe('audit-test');
    expect(await sealedFor(workflowIds.complaint('C20261205-0002', 'report'), 'activity')).toBe('audit-test');
    expect(await sealedFor(workflowIds.complaint('C20261205-0003'))).toBe('service-test');
    expect(await sealedFor(workflowIds.complaintWarning('W20261205-0001'))).toBe('service-test');
    // No context (a client call that names no workflow): the service centre's key.
    expect(keyIdOf((await codec.encode([payload()]))[0])).toBe('service-test');
  });

  it('C2: complaint workflow IDs name their audience, and nothing else is mistaken for a confidential one', () => {
    expect(workflowIds.complaint('C20261205-0001')).toBe('complaint-C20261205-0001');
    expect(workflowIds.complaint('C20261205-0001', 'employee')).toBe('complaint-hr-C20261205-0001');
    expect(workflowIds.complaint('C20261205-0001', 'report')).toBe('complaint-audit-C20261205-0001');
    expect(payloadAudienceOf('complaint-hr-C20261205-0001')).toBe('hr');
    expect(payloadAudienceOf('complaint-audit-C20261205-0001')).toBe('audit');
    for (const id of ['complaint-C20261205-0001', 'complaint-warning-W20261205-0001', 'repair-R20261205-0001', 'survey-2026-12-H1', undefined]) expect(payloadAudienceOf(id)).toBe('service');
  });

  it('rotates: the first key listed seals, and what an older key sealed still opens', async () => {
    const old = await codec.encode([payload()]);
    const next = newPayloadKey('service');
    const rotated = new SealingCodec(payloadKeyring({ ...TEST_PAYLOAD_KEYS, PAYLOAD_KEYS: `${next},${TEST_PAYLOAD_KEYS.PAYLOAD_KEYS}` }));
    const fresh = await rotated.encode([payload()]);
    expect(keyIdOf(fresh[0])).toBe(next.split(':')[0]);
    expect((await rotated.decode([...old, ...fresh])).map(valueOf)).toEqual([resident, resident]);
    // A process that does not know the new key yet says which key it lacks (never a key itself).
    await expect(codec.decode(fresh)).rejects.toThrow(new RegExp(`sealed with key ${next.split(':')[0]}, which is not configured`));
  });

  it('refuses a payload altered in transit, or relabelled with another key id', async () => {
    const [sealed] = await codec.encode([payload()]);
    const flipped = Buffer.from(sealed.data!);
    flipped[20] ^= 1;
    await expect(codec.decode([{ ...sealed, data: flipped }])).rejects.toThrow();
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, 'encryption-key-id': new TextEncoder().encode('hr-test') } };
    await expect(codec.decode([relabelled])).rejects.toThrow();
  });

  it('passes a payload that was never sealed (a schedule made before the codec, a tool without it)', async () => {
    const plain = payload({ propertyId: 'P001' });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('C2: the codec endpoint opens only what the caller’s roles may read, and returns the rest as it came', async () => {
    const [service] = await codec.encode([payload()], { type: 'workflow', namespace: 'default', workflowId: 'repair-R20261205-0001' });
    const [hr] = await codec.encode([payload()], { type: 'workflow', namespace: 'default', workflowId: 'complaint-hr-C20261205-0001' });
    const [audit] = await codec.encode([payload()], { type: 'workflow', namespace: 'default', workflowId: 'complaint-audit-C20261205-0002' });
    const plain = payload('plain');
    const openedBy = (roles: Parameters<typeof audiencesReadableBy>[0]) => codec.openFor([service, hr, audit, plain], audiencesReadableBy(roles)).map((p, i) => p !== [service, hr, audit, plain][i]);
    expect(openedBy(['supervisor'])).toEqual([true, false, false, false]);
    expect(openedBy(['manager'])).toEqual([true, false, false, false]);
    expect(openedBy(['hr'])).toEqual([false, true, false, false]);
    expect(openedBy(['audit'])).toEqual([false, false, true, false]);
    expect(openedBy(['frontdesk', 'butler', 'engineer', 'callcenter'])).toEqual([false, false, false, false]);
    expect(valueOf(codec.openFor([hr], ['hr'])[0])).toEqual(resident);
  });
});

describe('payload keys in the configuration', () => {
  it('a process without all three keys is refused at its start, naming the variables', () => {
    expect(() => payloadKeyring({})).toThrow(PayloadKeysError);
    expect(() => payloadKeyring({ PAYLOAD_KEYS: TEST_PAYLOAD_KEYS.PAYLOAD_KEYS })).toThrow(/PAYLOAD_KEYS_HR, PAYLOAD_KEYS_AUDIT are not set/);
  });

  it('refuses a key id given to two keys', () => {
    expect(() => payloadKeyring({ ...TEST_PAYLOAD_KEYS, PAYLOAD_KEYS_HR: TEST_PAYLOAD_KEYS.PAYLOAD_KEYS })).toThrow(/key id service-test is listed twice/);
  });

  it('validates id:key pairs — 32 bytes of base64, distinct ids — without echoing a key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ PAYLOAD_KEYS: `new:${key}, old:${Buffer.alloc(32, 8).toString('base64')}` }).PAYLOAD_KEYS).toBeDefined();
    for (const bad of [key, `k:${Buffer.alloc(16, 7).toString('base64')}`, `k:${key},k:${key}`, `a b:${key}`, `k:${key}:x`]) {
      let message = '';
      try {
        loadConfig({ PAYLOAD_KEYS_HR: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/PAYLOAD_KEYS_HR: must be comma-separated id:key pairs/);
      expect(message).not.toContain(key);
    }
  });
});
