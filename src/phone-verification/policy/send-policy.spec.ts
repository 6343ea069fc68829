import { historyAt, withEvent } from './event-history';
import { secondsBetween, sendBlock, sendBlockOf, sendPositions } from './send-policy';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const rules = { resendCooldownSeconds: 30, maxSendsPerHour: 3 };

describe('sendBlock', () => {
  it.each([
    ['no sends', [], 0, true, null],
    ['a send 10 s ago', [0], 10, true, { code: 'RESEND_TOO_SOON', seconds: 20 }],
    ['a send 30 s ago', [0], 30, true, null],
    ['a send 10 s ago, no cooldown (test number)', [0], 10, false, null],
    ['2 sends, below the cap', [0, 40], 80, true, null],
    ['3 sends, at the cap', [0, 40, 80], 120, true, { code: 'SEND_LIMIT_REACHED', seconds: 3480 }],
    [
      '3 sends, at the cap, no cooldown',
      [0, 40, 80],
      90,
      false,
      { code: 'SEND_LIMIT_REACHED', seconds: 3510 },
    ],
    [
      '4 sends: the wait counts from the cap-th newest',
      [0, 40, 80, 120],
      200,
      true,
      {
        code: 'SEND_LIMIT_REACHED',
        seconds: 3440,
      },
    ],
  ])('%s', (_label, sends, now, cooldown, expected) => {
    expect(sendBlock(sends.map(at), at(now), rules, { cooldown })).toEqual(expected);
  });
});

describe('secondsBetween', () => {
  it.each([
    [0, 0, 0],
    [0, 0.001, 1],
    [0, 600, 600],
    [10, 0, 0],
  ])('from %d s to %d s is %d whole seconds', (from, to, expected) => {
    expect(secondsBetween(at(from), at(to))).toBe(expected);
  });
});

describe('sendBlockOf', () => {
  const history = (count: number, newest: Record<number, number>) =>
    historyAt(count, new Map(Object.entries(newest).map(([k, seconds]) => [Number(k), at(seconds)])));

  it('judges a history read at sendPositions as sendBlock judges the whole list', () => {
    const sends = [0, 40, 80, 120].map(at);
    const read = history(4, { 1: 120, 2: 80, 3: 40 });

    for (const now of [130, 200]) {
      expect(sendBlockOf(read, at(now), rules)).toEqual(sendBlock(sends, at(now), rules));
      expect(sendBlockOf(withEvent(read, at(now)), at(now), rules, { cooldown: false })).toEqual(
        sendBlock([...sends, at(now)], at(now), rules, { cooldown: false }),
      );
    }
  });

  it('reads only the newest below the cap', () => {
    expect(sendBlockOf(history(1, { 1: 0 }), at(10), rules)).toEqual({
      code: 'RESEND_TOO_SOON',
      seconds: 20,
    });
    const none = historyAt(0, new Map([[1, undefined]]));
    expect(sendBlockOf(none, at(10), { ...rules, maxSendsPerHour: 1 })).toBeNull();
  });
});

describe('sendPositions', () => {
  it.each([
    [1, [1]],
    [2, [1, 2]],
    [3, [1, 2, 3]],
    [1000, [1, 999, 1000]],
  ])('cap %d: %j', (maxSendsPerHour, expected) => {
    expect(sendPositions({ resendCooldownSeconds: 0, maxSendsPerHour })).toEqual(expected);
  });
});
