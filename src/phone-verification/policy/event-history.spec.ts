import { historyAt, historyOf, withEvent } from './event-history';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe('historyOf', () => {
  const history = historyOf([at(0), at(10), at(20)]);

  it('counts the events and answers the k-th newest', () => {
    expect(history.count).toBe(3);
    expect(history.newest(1)).toEqual(at(20));
    expect(history.newest(3)).toEqual(at(0));
  });

  it('answers undefined beyond the oldest, and for positions below 1', () => {
    expect(history.newest(4)).toBeUndefined();
    expect(history.newest(0)).toBeUndefined();
    expect(historyOf([]).newest(1)).toBeUndefined();
  });
});

describe('withEvent', () => {
  it('puts the new event first and shifts the others by one', () => {
    const after = withEvent(historyOf([at(0), at(10)]), at(30));

    expect(after.count).toBe(3);
    expect([1, 2, 3, 4].map((k) => after.newest(k))).toEqual([at(30), at(10), at(0), undefined]);
  });

  it('reads the positions of a partial history one lower', () => {
    const after = withEvent(historyAt(7, new Map([[4, at(5)]])), at(30));

    expect(after.newest(5)).toEqual(at(5));
    expect(() => after.newest(2)).toThrow('position 1 of the history was not read');
  });
});

describe('historyAt', () => {
  const history = historyAt(
    2,
    new Map([
      [1, at(10)],
      [5, undefined],
    ]),
  );

  it('answers the positions it was read at', () => {
    expect(history.count).toBe(2);
    expect(history.newest(1)).toEqual(at(10));
    expect(history.newest(5)).toBeUndefined();
  });

  it('refuses a position it was not read at', () => {
    expect(() => history.newest(2)).toThrow('position 2 of the history was not read');
  });
});
