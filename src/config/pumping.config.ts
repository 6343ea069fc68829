import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { readEnv } from './validate-config';

export const PUMPING_GUARD_MODES = ['off', 'alarm', 'block'] as const;
export type PumpingGuardMode = (typeof PUMPING_GUARD_MODES)[number];

class PumpingEnv {
  @IsOptional() @IsIn(PUMPING_GUARD_MODES) VERIFY_PUMPING_GUARD?: PumpingGuardMode;
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000) VERIFY_PUMPING_MIN_SENDS?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(1) VERIFY_PUMPING_MIN_CONVERSION?: number;
}

/** The SMS-pumping guard: sends to a country that nobody confirms. */
export const pumpingConfig = registerAs('pumping', () => {
  const env = readEnv(PumpingEnv);
  return {
    mode: env.VERIFY_PUMPING_GUARD ?? 'alarm',
    minSends: env.VERIFY_PUMPING_MIN_SENDS ?? 20,
    minConversion: env.VERIFY_PUMPING_MIN_CONVERSION ?? 0.2,
  };
});

export type PumpingConfig = ReturnType<typeof pumpingConfig>;
