import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

export class LogoutDto {
  @ApiPropertyOptional({ description: 'End every session of the user, not only this one', default: false })
  @IsOptional()
  @IsBoolean()
  allSessions?: boolean;
}
