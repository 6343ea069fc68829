import { Semaphore } from './semaphore';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// Lets every pending promise callback run; no timer is involved.
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Starts `count` tasks that each wait for their own gate, recording which started and how many ran at once. */
function startGatedTasks(semaphore: Semaphore, count: number) {
  const gates = Array.from({ length: count }, () => deferred<number>());
  const started: number[] = [];
  let running = 0;
  let peak = 0;
  const results = gates.map((gate, index) =>
    semaphore.run(async () => {
      started.push(index);
      running += 1;
      peak = Math.max(peak, running);
      try {
        return await gate.promise;
      } finally {
        running -= 1;
      }
    }),
  );
  return { gates, started, results, peak: () => peak, running: () => running };
}

describe('Semaphore', () => {
  it('runs at most `limit` tasks at once and starts the next one when a slot frees', async () => {
    const tasks = startGatedTasks(new Semaphore(2), 5);
    await settle();
    expect(tasks.started).toEqual([0, 1]);

    tasks.gates[1].resolve(1);
    await settle();
    expect(tasks.started).toEqual([0, 1, 2]);
    expect(tasks.running()).toBe(2);

    tasks.gates[0].resolve(0);
    tasks.gates[2].resolve(2);
    await settle();
    expect(tasks.started).toEqual([0, 1, 2, 3, 4]);

    tasks.gates[3].resolve(3);
    tasks.gates[4].resolve(4);
    await expect(Promise.all(tasks.results)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(tasks.peak()).toBe(2);
  });

  it('runs every task, in arrival order, each resolving with its own result', async () => {
    const semaphore = new Semaphore(3);
    const order: number[] = [];
    const results = Array.from({ length: 20 }, (_, index) =>
      semaphore.run(async () => {
        order.push(index);
        await settle();
        return index * 10;
      }),
    );
    await expect(Promise.all(results)).resolves.toEqual(Array.from({ length: 20 }, (_, index) => index * 10));
    expect(order).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });

  it('never exceeds the limit under many short tasks', async () => {
    const semaphore = new Semaphore(4);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 50 }, () =>
        semaphore.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await settle();
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(4);
    expect(running).toBe(0);
  });

  it('frees the slot when a task rejects, and passes the rejection to its caller', async () => {
    const semaphore = new Semaphore(1);
    const tasks = startGatedTasks(semaphore, 3);
    await settle();
    expect(tasks.started).toEqual([0]);

    tasks.gates[0].reject(new Error('task failed'));
    await expect(tasks.results[0]).rejects.toThrow('task failed');
    await settle();
    expect(tasks.started).toEqual([0, 1]);

    tasks.gates[1].reject(new Error('second failure'));
    await expect(tasks.results[1]).rejects.toThrow('second failure');
    tasks.gates[2].resolve(2);
    await expect(tasks.results[2]).resolves.toBe(2);
    await expect(semaphore.run(async () => 'still usable')).resolves.toBe('still usable');
  });

  it('frees the slot when a task throws before returning a promise', async () => {
    const semaphore = new Semaphore(1);
    const throwsSynchronously = (): Promise<string> => {
      throw new Error('thrown synchronously');
    };
    await expect(semaphore.run(throwsSynchronously)).rejects.toThrow('thrown synchronously');
    await expect(semaphore.run(async () => 'next')).resolves.toBe('next');
  });

  it('keeps the limit after a burst of rejections', async () => {
    const semaphore = new Semaphore(2);
    const failures = Array.from({ length: 6 }, (_, index) =>
      semaphore.run(async () => {
        throw new Error(`failure ${index}`);
      }),
    );
    await expect(Promise.allSettled(failures)).resolves.toHaveLength(6);
    for (const failure of failures) await expect(failure).rejects.toThrow(/^failure \d$/);

    const tasks = startGatedTasks(semaphore, 3);
    await settle();
    expect(tasks.started).toEqual([0, 1]);
    tasks.gates.forEach((gate, index) => gate.resolve(index));
    await expect(Promise.all(tasks.results)).resolves.toEqual([0, 1, 2]);
    expect(tasks.peak()).toBe(2);
  });
});
