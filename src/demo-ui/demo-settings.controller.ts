import { Controller, Get, Header, Inject, NotFoundException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator';
import { demoUiConfig, verifyConfig } from '../config';
import {
  Channel,
  VERIFICATION_PROVIDER,
  VerificationProvider,
} from '../phone-verification/providers/verification-provider.interface';

/** What the demo web client needs to know of this deployment and cannot learn from the REST API. */
export interface DemoSettings {
  /** ISO 3166 alpha-2 codes whose numbers may be verified; empty means every country. */
  allowedCountries: string[];
  /** The channels the configured provider can send a code by. */
  channels: Channel[];
  codeLength: number;
}

/**
 * One static-looking file of the demo client, written from the configuration: the country allow-list and the
 * provider's channels. It is part of the demo (absent when `DEMO_UI=false`), not of the REST API.
 */
@ApiExcludeController()
@Public()
@Controller()
export class DemoSettingsController {
  constructor(
    @Inject(demoUiConfig.KEY) private readonly demoUi: ConfigType<typeof demoUiConfig>,
    @Inject(verifyConfig.KEY) private readonly verify: ConfigType<typeof verifyConfig>,
    @Inject(VERIFICATION_PROVIDER) private readonly provider: VerificationProvider,
  ) {}

  @Get('demo-settings.json')
  @Header('Cache-Control', 'no-cache')
  settings(): DemoSettings {
    if (!this.demoUi.enabled) throw new NotFoundException('Cannot GET /demo-settings.json');
    return {
      allowedCountries: this.verify.allowedCountries,
      channels: [...this.provider.channels],
      codeLength: this.verify.codeLength,
    };
  }
}
