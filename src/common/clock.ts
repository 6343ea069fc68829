import { Injectable } from '@nestjs/common';

/**
 * The time of the rules, injectable so that expiry and windows are deterministic in tests. The app's is the
 * database's clock (DatabaseClock), so that instances agree on it.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
