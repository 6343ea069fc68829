import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../error-codes';

export class FieldErrorDto {
  @ApiProperty({ example: 'password' }) field: string;
  @ApiProperty({ type: [String] }) messages: string[];
}

/** The one error shape of every route. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ example: 'Bad Request' }) error: string;
  @ApiProperty({ enum: Object.keys(ERROR_STATUS), example: 'VALIDATION_FAILED' }) code: ErrorCode;
  @ApiProperty({ example: 'password must be longer than or equal to 8 characters' }) message: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) details?: FieldErrorDto[];
  @ApiPropertyOptional({
    description: 'With INVALID_CODE: wrong codes left before the verification is cancelled',
  })
  attemptsRemaining?: number;
}
