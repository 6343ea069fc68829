/**
 * An account's events of one kind within a window (its sends of the last hour, its wrong codes of the last day)
 * as the rules read them: how many, and the k-th newest for the few positions a rule looks at. No rule needs the
 * whole list, so the database answers a count and those positions, however many events the window holds.
 */
export interface EventHistory {
  readonly count: number;
  /** The k-th newest event (1 = the newest); undefined when the window holds fewer than k events. */
  newest(k: number): Date | undefined;
}

/** The history of a list of events, oldest first. */
export function historyOf(events: readonly Date[]): EventHistory {
  return { count: events.length, newest: (k) => (k >= 1 ? events[events.length - k] : undefined) };
}

/** The history once one more event has happened at `at`, after every other. */
export function withEvent(history: EventHistory, at: Date): EventHistory {
  return { count: history.count + 1, newest: (k) => (k === 1 ? at : history.newest(k - 1)) };
}

/**
 * A history read at some positions only (`positions` maps each to its event, undefined beyond the count): asking
 * for another position is a mistake of the caller, which must read every position its rules use.
 */
export function historyAt(count: number, positions: ReadonlyMap<number, Date | undefined>): EventHistory {
  return {
    count,
    newest: (k) => {
      if (!positions.has(k)) throw new Error(`position ${k} of the history was not read`);
      return positions.get(k);
    },
  };
}
