import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from '../../users/dto/user-response.dto';

/** A session's tokens: a short-lived access token and the refresh token that renews it. */
export class TokenPairDto {
  @ApiProperty({
    description:
      'JWT (ES256 by default, see /.well-known/jwks.json) with sub, email, phone_number, phone_number_verified, ' +
      'sid, auth_time, iss, aud, iat, exp',
  })
  accessToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Lifetime of the access token in seconds', example: 900 }) expiresIn: number;
  @ApiProperty({
    description: 'Opaque; exchange it at POST /auth/refresh. Single use: each refresh answers a new one.',
  })
  refreshToken: string;
  @ApiProperty({ description: 'Lifetime of the refresh token in seconds', example: 2592000 })
  refreshExpiresIn: number;
  @ApiProperty({ type: UserResponseDto }) user: UserResponseDto;
}
