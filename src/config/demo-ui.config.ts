import { registerAs } from '@nestjs/config';
import { IsIn, IsOptional } from 'class-validator';
import { isProduction, readEnv } from './validate-config';

class DemoUiEnv {
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'DEMO_UI must be true or false' })
  DEMO_UI?: string;
}

export const demoUiConfig = registerAs('demoUi', () => {
  const env = readEnv(DemoUiEnv);
  return { enabled: env.DEMO_UI === undefined ? !isProduction() : env.DEMO_UI === 'true' };
});

export type DemoUiConfig = ReturnType<typeof demoUiConfig>;
