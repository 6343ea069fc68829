import { ApiProperty } from '@nestjs/swagger';
import { Channel, CHANNELS } from '../providers/verification-provider.interface';

export class StartVerificationResponseDto {
  @ApiProperty({ enum: ['pending'] }) status: 'pending';
  @ApiProperty({ enum: CHANNELS }) channel: Channel;
  @ApiProperty({ example: '+44******789', description: 'Country code and the last 3 digits only' })
  to: string;
  @ApiProperty({ example: 600 }) expiresInSeconds: number;
  @ApiProperty({ example: 30 }) resendAfterSeconds: number;
}

export class CheckVerificationResponseDto {
  @ApiProperty({ enum: [true] }) phoneNumberConfirmed: true;
  @ApiProperty({ example: '+447123456789' }) phoneNumber: string;
  @ApiProperty({ description: 'A fresh access token carrying phone_number_verified: true' })
  accessToken: string;
}

export class PendingVerificationDto {
  @ApiProperty({ enum: CHANNELS }) channel: Channel;
  @ApiProperty({ example: '+44******789' }) to: string;
  @ApiProperty() expiresInSeconds: number;
  @ApiProperty() resendAfterSeconds: number;
  @ApiProperty() attemptsRemaining: number;
}

export class VerificationStatusResponseDto {
  @ApiProperty({ type: String, nullable: true, example: '+447123456789' }) phoneNumber: string | null;
  @ApiProperty() phoneNumberConfirmed: boolean;
  @ApiProperty({ type: PendingVerificationDto, nullable: true }) pending: PendingVerificationDto | null;
}
