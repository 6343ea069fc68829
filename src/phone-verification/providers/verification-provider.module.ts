import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { verifyConfig } from '../../config';
import { LogVerificationProvider } from './log-verification.provider';
import { TestNumberProvider } from './test-number.provider';
import { TwilioVerifyV2Module } from './twilio-verify-v2.module';
import { TwilioVerifyV2Service } from './twilio-verify-v2.service';
import { TwilioVerifyModule } from './twilio-verify.module';
import { TwilioVerifyService } from './twilio-verify.service';
import { VERIFICATION_PROVIDER, VerificationProvider } from './verification-provider.interface';

/** Picks the provider named by `VERIFY_PROVIDER` behind the `VERIFICATION_PROVIDER` token. */
@Module({
  imports: [TwilioVerifyModule, TwilioVerifyV2Module],
  providers: [
    LogVerificationProvider,
    {
      provide: VERIFICATION_PROVIDER,
      inject: [verifyConfig.KEY, LogVerificationProvider, TwilioVerifyService, TwilioVerifyV2Service],
      useFactory: (
        config: ConfigType<typeof verifyConfig>,
        log: LogVerificationProvider,
        v1: TwilioVerifyService,
        v2: TwilioVerifyV2Service,
      ): VerificationProvider => {
        const providers: Record<typeof config.provider, VerificationProvider> = {
          log,
          'twilio-v1': v1,
          'twilio-v2': v2,
        };
        const provider = providers[config.provider];
        if (!provider) throw new Error(`Unknown VERIFY_PROVIDER ${String(config.provider)}`);
        return config.testNumbers.size > 0 ? new TestNumberProvider(provider, config.testNumbers) : provider;
      },
    },
  ],
  exports: [VERIFICATION_PROVIDER],
})
export class VerificationProviderModule {}
