/**
 * The demo property `npm start` seeds into an empty database, and the tests' fixture: one
 * property, two areas, four buildings, 208 households with archive fields, and one staff member
 * of every role (two butlers and two engineers) with a fresh API key each.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { hashApiKey, newApiKey } from './secrets';
import type { Role } from '../domain/people';
import type { ServicePolicyInput } from '../domain/policy';
import { Area, Building, Household, HouseholdContact, PolicyVersion, Property, Staff } from './entities';
import type { Orm } from './orm';

export const DEMO_PROPERTY_ID = 'P001';

export interface SeedOptions {
  propertyId?: string;
  /** Stored as the property's service policy (tests store a compressed one). */
  policy?: ServicePolicyInput;
  emailDomain?: string;
}

export interface SeededStaff {
  id: string;
  name: string;
  roles: Role[];
  email: string;
  apiKey: string;
}

export interface SeedResult {
  created: boolean;
  propertyId: string;
  staff: SeededStaff[];
  households: number;
}

const STAFF: { id: string; name: string; roles: Role[]; areaIds: string[]; departments?: string[] }[] = [
  { id: 'S-FD1', name: '前台 刘敏', roles: ['frontdesk'], areaIds: [] },
  { id: 'S-BT1', name: '管家 陈静', roles: ['butler'], areaIds: ['A1'] },
  // The demo's department heads (C3): the environment lead is a senior butler, the engineering lead an engineer.
  { id: 'S-BT2', name: '管家 赵磊', roles: ['butler'], areaIds: ['A2'], departments: ['environment'] },
  { id: 'S-EN1', name: '维修 王强', roles: ['engineer'], areaIds: ['A1', 'A2'], departments: ['engineering'] },
  { id: 'S-EN2', name: '维修 李勇', roles: ['engineer'], areaIds: ['A1', 'A2'] },
  { id: 'S-SV1', name: '主管 孙丽', roles: ['supervisor'], areaIds: [], departments: ['service'] },
  { id: 'S-MG1', name: '经理 周伟', roles: ['manager'], areaIds: [] },
  { id: 'S-CC1', name: '客服中心 吴芳', roles: ['callcenter'], areaIds: [] },
  { id: 'S-HR1', name: '人力 郑洁', roles: ['hr'], areaIds: [] },
  { id: 'S-AU1', name: '审计 冯军', roles: ['audit'], areaIds: [] },
];

/** A small seeded generator, so the demo archive is the same on every machine. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] };
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const OCCUPATIONS = ['教师', '工程师', '医生', '个体经营', '公务员', '退休', '自由职业', '企业职员'];
const AGE_BANDS = ['18-30', '31-45', '46-60', '60+'];
const HOBBIES = ['太极', '书法', '摄影', '跑步', '广场舞', '钓鱼', '园艺'];
const SKILLS = ['电工', '医护', '法律', '外语', '摄影'];
const PETS = ['狗', '猫'];
const FESTIVALS = ['春节', '中秋', '端午', '重阳'];

export async function seedDemo(orm: Orm, options: SeedOptions = {}): Promise<SeedResult> {
  const propertyId = options.propertyId ?? DEMO_PROPERTY_ID;
  const domain = options.emailDomain ?? 'demo.wuye.local';
  const em = orm.em.fork() as EntityManager;
  if (await em.findOne(Property, { id: propertyId })) {
    return { created: false, propertyId, staff: [], households: await em.count(Household, { propertyId }) };
  }
  const rng = generator(20261122);
  const staff: SeededStaff[] = [];
  let households = 0;
  await em.transactional(async (tx) => {
    const property = tx.create(Property, {
      id: propertyId,
      name: '示范小区 Demo Gardens',
      timeZone: 'Asia/Shanghai',
      policy: (options.policy ?? null) as Record<string, unknown> | null,
      calendarOverrides: [],
      occupiedSince: '2022-06-01',
      groupEmail: null,
      policyVersion: 1,
      createdAt: new Date(),
    });
    tx.create(PolicyVersion, {
      propertyId,
      version: 1,
      policy: (options.policy ?? {}) as Record<string, unknown>,
      changes: [],
      reason: 'demo seed',
      actorId: 'system',
      at: new Date(),
    });
    const areas = [
      tx.create(Area, { id: 'A1', property, name: '东区 East', butlerId: 'S-BT1' }),
      tx.create(Area, { id: 'A2', property, name: '西区 West', butlerId: 'S-BT2' }),
    ];
    for (let b = 1; b <= 4; b++) {
      const building = tx.create(Building, { id: `${propertyId}-B${b}`, area: areas[b <= 2 ? 0 : 1], name: `${b}号楼` });
      for (let unit = 1; unit <= 2; unit++) {
        for (let floor = 1; floor <= 13; floor++) {
          for (let door = 1; door <= 2; door++) {
            const room = `${b}-${unit}-${floor * 100 + door}`;
            const household = tx.create(Household, {
              id: `${propertyId}-${room}`,
              propertyId,
              building,
              room,
              unit: String(unit),
              moveInDate: `20${22 + Math.floor(rng.next() * 4)}-0${1 + Math.floor(rng.next() * 9)}-15`,
              membersCount: 1 + Math.floor(rng.next() * 5),
              occupation: rng.pick(OCCUPATIONS),
              ageBand: rng.pick(AGE_BANDS),
              hobbies: [rng.pick(HOBBIES)],
              skills: rng.next() < 0.3 ? [rng.pick(SKILLS)] : [],
              pets: rng.next() < 0.25 ? [rng.pick(PETS)] : [],
              festivals: [rng.pick(FESTIVALS)],
              serviceNeeds: rng.next() < 0.1 ? '独居老人，需定期探访' : null,
              updatedAt: new Date(),
            });
            tx.create(HouseholdContact, {
              household,
              name: `${rng.pick(SURNAMES)}先生`,
              phone: `138${String(10000000 + households).padStart(8, '0')}`,
              email: `owner-${room}@${domain}`,
              relation: 'owner',
              primary: true,
            });
            households++;
          }
        }
      }
    }
    for (const s of STAFF) {
      const apiKey = newApiKey();
      const email = `${s.id.toLowerCase()}@${domain}`;
      tx.create(Staff, {
        id: s.id,
        propertyId,
        name: s.name,
        email,
        roles: s.roles,
        areaIds: s.areaIds,
        departments: s.departments ?? [],
        apiKeyHash: hashApiKey(apiKey),
        active: true,
        createdAt: new Date(),
      });
      staff.push({ id: s.id, name: s.name, roles: s.roles, email, apiKey });
    }
  });
  return { created: true, propertyId, staff, households };
}
