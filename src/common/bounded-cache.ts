/**
 * Remembers the values of a pure computation for up to `size` keys, forgetting the oldest first: a stream of
 * new keys (numbers an attacker makes up) costs a computation each, never memory.
 */
export class BoundedCache<K, V> {
  private readonly values = new Map<K, V>();

  constructor(private readonly size: number) {}

  get(key: K, compute: (key: K) => V): V {
    if (this.values.has(key)) return this.values.get(key) as V;
    const value = compute(key);
    if (this.values.size >= this.size) this.values.delete(this.values.keys().next().value as K);
    this.values.set(key, value);
    return value;
  }
}
