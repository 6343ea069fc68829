import { RefreshToken } from '../auth/entities/refresh-token.entity';
import { Session } from '../auth/entities/session.entity';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity';
import { PhoneVerification } from '../phone-verification/entities/phone-verification.entity';
import { VerificationEvent } from '../phone-verification/entities/verification-event.entity';
import { User } from '../users/entities/user.entity';

export const ENTITIES = [
  User,
  PhoneVerification,
  VerificationEvent,
  Session,
  RefreshToken,
  IdempotencyRecord,
];
