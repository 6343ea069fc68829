import * as http from 'node:http';
import * as https from 'node:https';
import { HttpModule, HttpModuleOptions, HttpService } from '@nestjs/axios';
import { Module, OnModuleDestroy } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { verifyConfig } from '../../config/verify.config';
import { TwilioVerifyV2Service } from './twilio-verify-v2.service';

const verifyConfigModule = ConfigModule.forFeature(verifyConfig);

/** Twilio Verify v2 adapter with its own HTTP client: base URL, Basic auth, timeout and keep-alive agents. */
@Module({
  imports: [
    verifyConfigModule,
    HttpModule.registerAsync({
      imports: [verifyConfigModule],
      inject: [verifyConfig.KEY],
      useFactory: (config: ConfigType<typeof verifyConfig>): HttpModuleOptions => ({
        baseURL: config.v2.baseUrl,
        auth: { username: config.v2.accountSid, password: config.v2.authToken },
        timeout: config.timeoutMs,
        httpAgent: new http.Agent({ keepAlive: true, maxSockets: 50 }),
        httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 50 }),
        maxRedirects: 0,
      }),
    }),
  ],
  providers: [TwilioVerifyV2Service],
  exports: [TwilioVerifyV2Service],
})
export class TwilioVerifyV2Module implements OnModuleDestroy {
  constructor(private readonly httpService: HttpService) {}

  onModuleDestroy(): void {
    const { httpAgent, httpsAgent } = this.httpService.axiosRef.defaults;
    for (const agent of [httpAgent, httpsAgent]) {
      if (agent instanceof http.Agent) agent.destroy();
    }
  }
}
