import { HEAP_GROWING_PERCENT, heapFlags } from './heap';

describe('heapFlags', () => {
  it('bounds the growth of the old space', () => {
    expect(heapFlags([])).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(heapFlags(['--enable-source-maps', '--max-old-space-size=512'])).toEqual([
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    ]);
  });

  it.each([['--heap-growing-percent=50'], ['--heap_growing_percent=50'], ['--heap-growing-percent']])(
    'leaves the value of the command line (%s)',
    (flag) => {
      expect(heapFlags(['--enable-source-maps', flag])).toEqual([]);
    },
  );

  it('is not fooled by a flag that only starts alike', () => {
    expect(heapFlags(['--heap-growing-percentage=5'])).toHaveLength(1);
  });
});
