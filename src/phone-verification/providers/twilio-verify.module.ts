import * as http from 'node:http';
import * as https from 'node:https';
import { HttpModule, HttpService } from '@nestjs/axios';
import { Module, OnModuleDestroy } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { verifyConfig } from '../../config/verify.config';
import { TwilioVerifyService } from './twilio-verify.service';

/** Twilio Verify v1 (Authy): one HTTP client with the base URL, API key header, timeout and keep-alive agents. */
@Module({
  imports: [
    HttpModule.registerAsync({
      imports: [ConfigModule.forFeature(verifyConfig)],
      inject: [verifyConfig.KEY],
      useFactory: (config: ConfigType<typeof verifyConfig>) => ({
        baseURL: config.v1.baseUrl,
        headers: { 'X-Authy-API-Key': config.v1.apiKey },
        timeout: config.timeoutMs,
        httpAgent: new http.Agent({ keepAlive: true, maxSockets: 50 }),
        httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 50 }),
        maxRedirects: 0,
      }),
    }),
  ],
  providers: [TwilioVerifyService],
  exports: [TwilioVerifyService],
})
export class TwilioVerifyModule implements OnModuleDestroy {
  constructor(private readonly http: HttpService) {}

  onModuleDestroy(): void {
    const { httpAgent, httpsAgent } = this.http.axiosRef.defaults;
    for (const agent of [httpAgent, httpsAgent]) {
      if (agent instanceof http.Agent) {
        agent.destroy();
      }
    }
  }
}
