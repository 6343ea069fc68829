import { Logger, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ServeStaticModule, ServeStaticModuleOptions } from '@nestjs/serve-static';
import { demoUiConfig } from '../config';
import { VerificationProviderModule } from '../phone-verification/providers/verification-provider.module';
import { DemoSettingsController } from './demo-settings.controller';
import { findWebRoot } from './web-root';

/** The demo web client at `/` (DEMO_UI): static files built by `npm run build`, plus its settings file. */
@Module({
  imports: [
    VerificationProviderModule,
    ServeStaticModule.forRootAsync({
      inject: [demoUiConfig.KEY],
      useFactory: (config: ConfigType<typeof demoUiConfig>): ServeStaticModuleOptions[] => {
        if (!config.enabled) return [];
        const rootPath = findWebRoot();
        if (!rootPath) {
          new Logger('DemoUi').warn('DEMO_UI is on but the web client is not built: run `npm run build:web`');
          return [];
        }
        return [
          {
            rootPath,
            // Only `/` is the page: the client routes with the URL fragment, so every other path stays the
            // API's (an unknown one is still `404 NOT_FOUND`).
            renderPath: '/',
            serveStaticOptions: { fallthrough: true, redirect: false, index: 'index.html', maxAge: 0 },
          },
        ];
      },
    }),
  ],
  controllers: [DemoSettingsController],
})
export class DemoUiModule {}
