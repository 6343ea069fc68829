import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { UsersModule } from '../users/users.module';
import { CheckRules } from './check-rules';
import { GuessCaps } from './guess-caps';
import { PhoneNotConfirmedGuard } from './guards/phone-not-confirmed.guard';
import { PhoneNumberController } from './phone-number.controller';
import { PhoneNumberService } from './phone-number.service';
import { PhoneVerificationController } from './phone-verification.controller';
import { PhoneVerificationRepository } from './phone-verification.repository';
import { PhoneVerificationService } from './phone-verification.service';
import { PumpingGuard } from './pumping/pumping-guard.service';
import { VerificationProviderModule } from './providers/verification-provider.module';
import { SendCaps } from './send-caps';
import { SendRules } from './send-rules';
import { VerificationConfirmer } from './verification-confirmer';
import { VerificationEvents } from './verification-events';

@Module({
  imports: [UsersModule, AuthModule, VerificationProviderModule, IdempotencyModule],
  controllers: [PhoneNumberController, PhoneVerificationController],
  providers: [
    PhoneVerificationService,
    PhoneNumberService,
    SendRules,
    SendCaps,
    CheckRules,
    GuessCaps,
    VerificationConfirmer,
    VerificationEvents,
    PhoneVerificationRepository,
    PhoneNotConfirmedGuard,
    PumpingGuard,
  ],
})
export class PhoneVerificationModule {}
