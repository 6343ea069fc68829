import { DataSource } from 'typeorm';
import { clockOffsetMs, DatabaseClock } from './database-clock';

describe('clockOffsetMs', () => {
  it.each([
    ['server 5 s ahead, instant round trip', [{ sentMs: 1000, serverMs: 6000, receivedMs: 1000 }], 5000],
    ['server 5 s behind', [{ sentMs: 10_000, serverMs: 5_004, receivedMs: 10_008 }], -5000],
    ['same clock, 10 ms round trip', [{ sentMs: 0, serverMs: 5, receivedMs: 10 }], 0],
    [
      'the shortest round trip wins',
      [
        { sentMs: 0, serverMs: 900, receivedMs: 400 },
        { sentMs: 1000, serverMs: 3001, receivedMs: 1002 },
      ],
      2000,
    ],
  ])('%s', (_name, samples, expected) => {
    expect(clockOffsetMs(samples)).toBe(expected);
  });
});

describe('DatabaseClock', () => {
  function clockOf(type: string, query: () => Promise<unknown>): DatabaseClock {
    return new DatabaseClock({ options: { type }, query } as unknown as DataSource);
  }

  it("reads PostgreSQL's time: an instance whose own clock is 3 s behind still agrees with the database", async () => {
    const query = jest.fn(async () => [{ now: new Date(Date.now() + 3000) }]);
    const clock = clockOf('postgres', query);

    await clock.calibrate();

    expect(Math.abs(clock.now().getTime() - (Date.now() + 3000))).toBeLessThan(100);
  });

  it('keeps the last offset when the database does not answer', async () => {
    let answer: () => Promise<unknown> = async () => [{ now: new Date(Date.now() - 7000) }];
    const clock = clockOf('postgres', () => answer());
    await clock.calibrate();

    answer = () => Promise.reject(new Error('Query read timeout'));
    await clock.calibrate();

    expect(Math.abs(clock.now().getTime() - (Date.now() - 7000))).toBeLessThan(100);
  });

  it('uses the machine clock on SQLite, which every process of the file shares', async () => {
    const query = jest.fn();
    const clock = clockOf('better-sqlite3', query);

    await clock.onApplicationBootstrap();

    expect(query).not.toHaveBeenCalled();
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(100);
  });
});
