import { CreateUsers1764100000000 } from './1764100000000-create-users';
import { CreatePhoneVerifications1764100000001 } from './1764100000001-create-phone-verifications';
import { AddFailedAttempts1764100000002 } from './1764100000002-add-failed-attempts';
import { CreateSessions1764200000000 } from './1764200000000-create-sessions';
import { CanonicalEmails1764200000001 } from './1764200000001-canonical-emails';
import { IdempotencyKeys1764470000000 } from './1764470000000-idempotency-keys';
import { ExpiryIndexes1764520000000 } from './1764520000000-expiry-indexes';

/** Every migration, in order. Never edit one that has been committed: add a new one. */
export const MIGRATIONS = [
  CreateUsers1764100000000,
  CreatePhoneVerifications1764100000001,
  AddFailedAttempts1764100000002,
  CreateSessions1764200000000,
  CanonicalEmails1764200000001,
  IdempotencyKeys1764470000000,
  ExpiryIndexes1764520000000,
];
