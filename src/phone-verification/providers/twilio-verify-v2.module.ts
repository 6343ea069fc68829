import { HttpModule, HttpModuleOptions, HttpService } from '@nestjs/axios';
import { Module, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { verifyConfig } from '../../config/verify.config';
import { destroyAgents, providerClientOptions } from './provider-http';
import { TwilioVerifyV2Service } from './twilio-verify-v2.service';

/**
 * Twilio Verify v2 adapter with its own HTTP client: base URL, Basic auth, timeout, body limits and keep-alive
 * agents. `verifyConfig` comes from the application's global ConfigModule.
 */
@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [verifyConfig.KEY],
      useFactory: (config: ConfigType<typeof verifyConfig>): HttpModuleOptions => ({
        ...providerClientOptions(config.timeoutMs),
        baseURL: config.v2.baseUrl,
        auth: { username: config.v2.accountSid, password: config.v2.authToken },
      }),
    }),
  ],
  providers: [TwilioVerifyV2Service],
  exports: [TwilioVerifyV2Service],
})
export class TwilioVerifyV2Module implements OnModuleDestroy {
  constructor(private readonly httpService: HttpService) {}

  onModuleDestroy(): void {
    destroyAgents(this.httpService);
  }
}
