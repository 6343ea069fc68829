import { Injectable } from '@nestjs/common';

/** The time, injectable so that expiry and windows are deterministic in unit tests. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
