/**
 * The cap on case openings gives way while deadlines fall due (api/deadline-pressure.ts): the free
 * cap until a count says deadlines are near, the near cap while they are, the free cap again after;
 * the count asked at most once per refresh period, lazily, and a failed count keeping the last answer.
 */
import { deadlinePressure } from '../../api/deadline-pressure';

const settle = () => new Promise((r) => setImmediate(r));

function fixture(answers: (number | Error)[]) {
  let clock = 1_000_000;
  const asked: Date[] = [];
  const errors: unknown[] = [];
  let changes = 0;
  const pressure = deadlinePressure({
    count: async (now) => {
      asked.push(now);
      const answer = answers.shift() ?? 0;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    freeCap: 4,
    nearCap: 1,
    refreshMs: 1000,
    onError: (e) => errors.push(e),
    now: () => clock,
  });
  pressure.onChange(() => changes++);
  return { pressure, asked, errors, changes: () => changes, tick: (ms: number) => (clock += ms) };
}

describe('deadline pressure', () => {
  it('the free cap until deadlines are counted near, the near cap while they are, the free cap again after — each move announced once', async () => {
    const f = fixture([2, 3, 0]);
    expect(f.pressure.cap()).toBe(4);
    await settle();
    expect(f.pressure.near()).toBe(2);
    expect(f.pressure.cap()).toBe(1);
    expect(f.changes()).toBe(1);
    f.tick(1000);
    f.pressure.cap();
    await settle();
    // Still near (3): the cap did not move, so no one is told.
    expect(f.pressure.current()).toBe(1);
    expect(f.changes()).toBe(1);
    f.tick(1000);
    f.pressure.cap();
    await settle();
    expect(f.pressure.current()).toBe(4);
    expect(f.changes()).toBe(2);
    expect(f.asked).toHaveLength(3);
  });

  it('asks at most once per refresh period however many openings come, and not at all while none do', async () => {
    const f = fixture([1, 1, 1]);
    for (let i = 0; i < 50; i++) f.pressure.cap();
    await settle();
    for (let i = 0; i < 50; i++) f.pressure.cap();
    await settle();
    expect(f.asked).toHaveLength(1);
    f.tick(999);
    f.pressure.cap();
    expect(f.asked).toHaveLength(1);
    f.tick(1);
    f.pressure.cap();
    expect(f.asked).toHaveLength(2);
    // The count asks about the time it was started at.
    expect(f.asked[1].getTime()).toBe(1_000_000 + 1000);
    // current() and near() are for metrics: they never ask.
    f.tick(5000);
    f.pressure.current();
    f.pressure.near();
    expect(f.asked).toHaveLength(2);
  });

  it('a count that fails keeps the last answer, is reported, and is asked again after the refresh period', async () => {
    const f = fixture([2, new Error('connection refused'), 0]);
    f.pressure.cap();
    await settle();
    expect(f.pressure.current()).toBe(1);
    f.tick(1000);
    f.pressure.cap();
    await settle();
    expect(f.errors).toHaveLength(1);
    expect(f.pressure.current()).toBe(1);
    f.pressure.cap();
    expect(f.asked).toHaveLength(2);
    f.tick(1000);
    f.pressure.cap();
    await settle();
    expect(f.pressure.current()).toBe(4);
  });
});
