import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class JwkDto {
  @ApiProperty({ example: 'EC' }) kty: string;
  @ApiProperty({ example: 'P-256' }) crv: string;
  @ApiProperty() x: string;
  @ApiPropertyOptional({ description: 'EC keys only' }) y?: string;
  @ApiProperty({ description: 'RFC 7638 thumbprint of the key' }) kid: string;
  @ApiProperty({ enum: ['ES256', 'EdDSA'] }) alg: string;
  @ApiProperty({ enum: ['sig'] }) use: 'sig';
}

export class JwksDto {
  @ApiProperty({ type: [JwkDto] }) keys: JwkDto[];
}

export class DiscoveryDocumentDto {
  @ApiProperty({ example: 'identity-service' }) issuer: string;
  @ApiProperty({ example: 'https://id.example.com/.well-known/jwks.json' }) jwks_uri: string;
  @ApiProperty({ example: ['ES256'] }) id_token_signing_alg_values_supported: string[];
  @ApiProperty() claims_supported: string[];
  @ApiProperty({ example: ['public'] }) subject_types_supported: string[];
  @ApiProperty({ example: ['token'] }) response_types_supported: string[];
}
