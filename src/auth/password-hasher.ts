import { Injectable, OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Semaphore } from '../common/semaphore';
import { hashConcurrency, threadPoolSize } from '../config/thread-pool';

/** OWASP's argon2id parameters: 19 MiB, 2 iterations, parallelism 1. */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * Hashes and verifies passwords with argon2id. At most one hash per core but one runs at once, and never more
 * than libuv's thread pool minus two threads, so a login storm queues here instead of taking every core and
 * filling the pool: the event loop (every other route) keeps a core, DNS lookups (provider calls), file work
 * and the rest of crypto keep threads of their own.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly slots = new Semaphore(hashConcurrency(availableParallelism(), threadPoolSize()));
  private dummyHash?: Promise<string>;

  /**
   * Made at start-up, so that even the first unknown-email login costs one hash, like every other. Started, not
   * awaited: it runs on the thread pool while the rest of the service starts (a login that comes before it is
   * done waits for it).
   */
  onModuleInit(): void {
    this.dummy().catch(() => undefined);
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => argon2.hash(normalize(password), ARGON2_OPTIONS));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.slots.run(() => argon2.verify(hash, normalize(password)));
    } catch {
      return false;
    }
  }

  /** Spends the same time as `verify` for an account that does not exist, and always fails. */
  async verifyAgainstDummy(password: string): Promise<false> {
    await this.verify(await this.dummy(), password);
    return false;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }
}

// NIST SP 800-63B: normalise so that the same password typed on two keyboards matches.
function normalize(password: string): string {
  return password.normalize('NFKC');
}
