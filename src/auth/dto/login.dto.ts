import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { CanonicalEmail } from './email.decorators';

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @CanonicalEmail()
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', maxLength: 128, format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128, { message: 'password must be at most 128 characters long' })
  password: string;
}
