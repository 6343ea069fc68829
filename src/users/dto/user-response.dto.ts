import { ApiProperty } from '@nestjs/swagger';
import { User } from '../entities/user.entity';

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'ada@example.com' }) email: string;
  @ApiProperty({ type: String, nullable: true, example: '+447123456789' }) phoneNumber: string | null;
  @ApiProperty({ type: String, nullable: true, example: '44' }) phoneCountryCode: string | null;
  @ApiProperty({ type: String, nullable: true, example: '7123456789' }) phoneNationalNumber: string | null;
  @ApiProperty() phoneNumberConfirmed: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) phoneNumberConfirmedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;

  static from(user: User): UserResponseDto {
    return {
      id: user.id,
      email: user.email,
      phoneNumber: user.phoneE164,
      phoneCountryCode: user.phoneCountryCode,
      phoneNationalNumber: user.phoneNationalNumber,
      phoneNumberConfirmed: user.phoneConfirmed,
      phoneNumberConfirmedAt: user.phoneConfirmedAt?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
    };
  }
}
