import { HttpModule, HttpService } from '@nestjs/axios';
import { Module, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { verifyConfig } from '../../config/verify.config';
import { destroyAgents, providerClientOptions } from './provider-http';
import { TwilioVerifyService } from './twilio-verify.service';

/**
 * Twilio Verify v1 (Authy): one HTTP client with the base URL, API key header, timeout, body limits and keep-alive
 * agents. `verifyConfig` comes from the application's global ConfigModule.
 */
@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [verifyConfig.KEY],
      useFactory: (config: ConfigType<typeof verifyConfig>) => ({
        ...providerClientOptions(config.timeoutMs),
        baseURL: config.v1.baseUrl,
        headers: { 'X-Authy-API-Key': config.v1.apiKey },
      }),
    }),
  ],
  providers: [TwilioVerifyService],
  exports: [TwilioVerifyService],
})
export class TwilioVerifyModule implements OnModuleDestroy {
  constructor(private readonly http: HttpService) {}

  onModuleDestroy(): void {
    destroyAgents(this.http);
  }
}
