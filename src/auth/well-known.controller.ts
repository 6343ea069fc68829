import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator';
import { authConfig } from '../config';
import { DiscoveryDocumentDto, JwksDto } from './dto/well-known.dto';
import { SigningKeys } from './keys/signing-keys';

/** What another service needs to verify this service's tokens by itself. */
@ApiTags('auth')
@Public()
@Controller('.well-known')
export class WellKnownController {
  constructor(
    private readonly keys: SigningKeys,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    operationId: 'getJwks',
    summary: 'The public keys that verify access tokens',
    description: 'The signing key and the retired keys still accepted. Empty with HS256.',
  })
  @ApiOkResponse({ type: JwksDto })
  jwks(): JwksDto {
    return this.keys.jwks;
  }

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    operationId: 'getOpenIdConfiguration',
    summary: 'OpenID Provider metadata: the issuer, where its keys are, which claims tokens carry',
  })
  @ApiOkResponse({ type: DiscoveryDocumentDto })
  discovery(): DiscoveryDocumentDto {
    return {
      issuer: this.config.issuer,
      jwks_uri: `${this.config.publicUrl}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: [this.keys.algorithm],
      claims_supported: [
        'sub',
        'email',
        'phone_number',
        'phone_number_verified',
        'sid',
        'auth_time',
        'iss',
        'aud',
        'iat',
        'exp',
      ],
      subject_types_supported: ['public'],
      response_types_supported: ['token'],
    };
  }
}
