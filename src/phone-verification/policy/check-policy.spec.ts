import { historyAt } from './event-history';
import { attemptsRemaining, dailyFailureBlock, dailyFailureBlockOf, failurePositions } from './check-policy';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe('attemptsRemaining', () => {
  it.each([
    [5, 0, [], 5],
    [5, 2, [], 3],
    [5, 5, [], 0],
    [5, 7, [], 0],
    [5, 1, [2], 2],
    [5, 1, [9], 4],
  ])('cap %d, %d wrong, other caps %j: %d left', (cap, failed, others, expected) => {
    expect(attemptsRemaining(cap, failed, ...others)).toBe(expected);
  });
});

describe('dailyFailureBlock', () => {
  it.each([
    ['none', [], 0, 3, 100, null],
    ['below the cap', [0, 10], 0, 3, 100, null],
    ['below the cap only with checks in flight', [0, 10], 1, 3, 100, { seconds: 1 }],
    ['at the cap: until the oldest is a day old', [0, 10, 20], 0, 3, 100, { seconds: 86_300 }],
    ['over the cap: counts from the cap-th newest', [0, 10, 20, 30], 0, 3, 100, { seconds: 86_310 }],
  ])('%s', (_label, failures, inFlight, cap, now, expected) => {
    expect(dailyFailureBlock(failures.map(at), inFlight, cap, at(now))).toEqual(expected);
  });
});

describe('dailyFailureBlockOf', () => {
  it('judges a history read at failurePositions as dailyFailureBlock judges the whole list', () => {
    const failures = [0, 10, 20, 30].map(at);
    const read = historyAt(4, new Map([[3, at(10)]]));

    expect(dailyFailureBlockOf(read, 0, 3, at(100))).toEqual(dailyFailureBlock(failures, 0, 3, at(100)));
    expect(dailyFailureBlockOf(historyAt(2, new Map()), 1, 3, at(100))).toEqual({ seconds: 1 });
    expect(dailyFailureBlockOf(historyAt(0, new Map()), 0, 3, at(100))).toBeNull();
  });

  it('reads the cap-th newest', () => {
    expect(failurePositions(15)).toEqual([15]);
  });
});
