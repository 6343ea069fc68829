import {
  bucketOf,
  BUCKETS_PER_WINDOW,
  bucketsOfWindow,
  conversionOf,
  firstBucketOfWindow,
  isPumpingSuspected,
} from './pumping-rule';

const DEFAULTS = { minSends: 20, minConversion: 0.2 };

describe('isPumpingSuspected', () => {
  it.each([
    // sends, approvals, thresholds, suspected
    [0, 0, DEFAULTS, false],
    [19, 0, DEFAULTS, false], // too few sends to judge
    [20, 0, DEFAULTS, true],
    [20, 3, DEFAULTS, true], // 15 %
    [20, 4, DEFAULTS, false], // exactly 20 % is enough
    [100, 19, DEFAULTS, true],
    [100, 20, DEFAULTS, false],
    [100, 150, DEFAULTS, false], // approvals of sends of the hour before
    [1, 0, { minSends: 1, minConversion: 0.2 }, true],
    [50, 0, { minSends: 20, minConversion: 0 }, false], // a minimum of 0 never judges a country suspect
    [50, 49, { minSends: 20, minConversion: 1 }, true],
    [50, 50, { minSends: 20, minConversion: 1 }, false],
  ])('%i sends, %i approvals, %j: %s', (sends, approvals, thresholds, suspected) => {
    expect(isPumpingSuspected({ sends, approvals }, thresholds)).toBe(suspected);
  });
});

describe('conversionOf', () => {
  it.each([
    [0, 0, 0],
    [10, 0, 0],
    [10, 5, 0.5],
    [4, 4, 1],
    [4, 6, 1],
  ])('%i sends, %i approvals: %d', (sends, approvals, conversion) => {
    expect(conversionOf({ sends, approvals })).toBe(conversion);
  });
});

describe('window buckets', () => {
  it('puts the instants of one minute in one bucket', () => {
    expect(bucketOf(new Date('2026-11-29T10:00:00.000Z'))).toBe(
      bucketOf(new Date('2026-11-29T10:00:59.999Z')),
    );
    expect(bucketOf(new Date('2026-11-29T10:01:00.000Z'))).toBe(
      bucketOf(new Date('2026-11-29T10:00:00.000Z')) + 1,
    );
  });

  it('covers the last hour, oldest first, ending with the current minute', () => {
    const at = new Date('2026-11-29T10:30:15.000Z');
    const buckets = bucketsOfWindow(at);
    expect(buckets).toHaveLength(BUCKETS_PER_WINDOW);
    expect(buckets.at(-1)).toBe(bucketOf(at));
    expect(buckets[0]).toBe(bucketOf(new Date('2026-11-29T09:31:00.000Z')));
    expect(buckets).not.toContain(bucketOf(new Date('2026-11-29T09:30:59.000Z')));
  });

  it('starts at firstBucketOfWindow', () => {
    const at = new Date('2026-11-29T10:30:15.000Z');
    expect(firstBucketOfWindow(at)).toBe(bucketsOfWindow(at)[0]);
  });
});
