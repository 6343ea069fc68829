/**
 * What the last database round trip said: answered, or did not answer in time. `/health` reads it to say at
 * once that the database is unavailable, instead of waiting for its own ping to time out.
 */
export class DatabaseAvailability {
  private unansweredSince: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  answered(): void {
    this.unansweredSince = null;
  }

  unanswered(): void {
    this.unansweredSince ??= this.now();
  }

  /** Whether the last round trip went unanswered (a timeout or a lost connection) and none answered since. */
  get unavailable(): boolean {
    return this.unansweredSince !== null;
  }
}
