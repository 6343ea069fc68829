import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { typeFirst } from '../common/validation';

/** Thrown at start-up when an environment variable is missing or malformed. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(`Invalid configuration: ${message}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Reads the variables declared by `schema` from the environment, converts them to the declared types and
 * validates them. Empty values count as unset. Every message names the offending variable.
 */
export function readEnv<T extends object>(
  schema: ClassConstructor<T>,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = plainToInstance(schema, present, {
    enableImplicitConversion: true,
    excludeExtraneousValues: false,
  });
  const errors = validateSync(parsed, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    // Values are left out of the message on purpose: some of them are secrets.
    const messages = errors.flatMap((error) => typeFirst(error.constraints ?? {}));
    throw new ConfigurationError(messages.join('; '));
  }
  return parsed;
}

export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_ENV === 'production';
}

export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
