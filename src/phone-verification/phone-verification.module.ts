import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { UsersModule } from '../users/users.module';
import { PhoneNotConfirmedGuard } from './guards/phone-not-confirmed.guard';
import { PhoneNumberController } from './phone-number.controller';
import { PhoneVerificationController } from './phone-verification.controller';
import { PhoneVerificationRepository } from './phone-verification.repository';
import { PhoneVerificationService } from './phone-verification.service';
import { PumpingGuard } from './pumping/pumping-guard.service';
import { VerificationProviderModule } from './providers/verification-provider.module';

@Module({
  imports: [UsersModule, AuthModule, VerificationProviderModule],
  controllers: [PhoneNumberController, PhoneVerificationController],
  providers: [PhoneVerificationService, PhoneVerificationRepository, PhoneNotConfirmedGuard, PumpingGuard],
})
export class PhoneVerificationModule {}
