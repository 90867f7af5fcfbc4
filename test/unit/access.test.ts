/**
 * The access table (domain/access.ts) against the roles of docs/rules.md §0 and C2: every list a set
 * of known roles, hr and audit only where complaints and the admin audit put them, an engineer never
 * near a complaint, the manager never locked out of the property's own settings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS, accessEntries } from '../../domain/access';
import { AUDIENCE_READERS, PAYLOAD_AUDIENCES } from '../../domain/payload-audience';
import { ROLES } from '../../domain/people';
import { REPAIR_ACTIONS } from '../../workflows/messages';

const entries = accessEntries();

describe('the access table', () => {
  it.each(entries.map((e) => [`${e.resource}.${e.operation}`, e.roles] as const))('%s lists known roles, each once', (_name, roles) => {
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) expect(ROLES).toContain(role);
    expect(new Set(roles).size).toBe(roles.length);
  });

  it('C2: hr and audit reach complaints (employee complaints and reports) and the admin audit, and otherwise only what every staff member reads', () => {
    const everyone = new Set(entries.filter((e) => ROLES.every((r) => e.roles.includes(r))).map((e) => `${e.resource}.${e.operation}`));
    for (const role of ['hr', 'audit'] as const) {
      const reached = entries.filter((e) => e.roles.includes(role) && !everyone.has(`${e.resource}.${e.operation}`)).map((e) => `${e.resource}.${e.operation}`);
      // payloads.decode: the Temporal UI's codec endpoint, which opens for hr and audit only their own complaint kinds' payloads.
      const expected = role === 'audit' ? ['complaints.create', 'complaints.read', 'adminAudit.read', 'payloads.decode'] : ['complaints.create', 'complaints.read', 'payloads.decode'];
      expect(reached.sort()).toEqual(expected.sort());
    }
  });

  it('C2: the codec endpoint admits exactly the roles that read some audience\'s payloads', () => {
    const readers = new Set(PAYLOAD_AUDIENCES.flatMap((audience) => AUDIENCE_READERS[audience]));
    expect([...ACCESS.payloads.decode].sort()).toEqual([...readers].sort());
  });

  it('C2: an engineer neither records nor reads a complaint', () => {
    expect(ACCESS.complaints.create).not.toContain('engineer');
    expect(ACCESS.complaints.read).not.toContain('engineer');
    expect(ACCESS.complaints.warn).not.toContain('engineer');
  });

  it('R1/C1: the front desk records repairs and complaints; an engineer reads their work orders', () => {
    expect(ACCESS.repairs.create).toContain('frontdesk');
    expect(ACCESS.complaints.create).toContain('frontdesk');
    expect(ACCESS.repairs.read).toContain('engineer');
  });

  it('the manager administers staff, the policy, places, the calendar and imports', () => {
    for (const roles of [ACCESS.staff.administer, ACCESS.property.manage, ACCESS.places.manage, ACCESS.calendar.manage, ACCESS.imports.run]) {
      expect(roles).toContain('manager');
    }
  });

  it('S1: the month\'s survey run is started by a supervisor or manager only', () => {
    expect([...ACCESS.surveys.run].sort()).toEqual(['manager', 'supervisor']);
  });

  it("R8: the console's signature takes the signOff action's roles", () => {
    expect([...ACCESS.console.signature].sort()).toEqual([...REPAIR_ACTIONS.signOff.roles].sort());
  });
});

describe('the lint rule that keeps role lists out of routes', () => {
  it('knows every role (eslint.config.mjs cannot import domain/people.ts, so its pattern names them again)', () => {
    const config = readFileSync(join(__dirname, '../../eslint.config.mjs'), 'utf8');
    const pattern = /Literal\[value=\/\^\(([^)]*)\)\$\/\]/.exec(config)?.[1].split('|') ?? [];
    expect([...pattern].sort()).toEqual([...ROLES].sort());
  });
});
