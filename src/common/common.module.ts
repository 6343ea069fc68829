import { Global, Module } from '@nestjs/common';
import { DatabaseClock } from '../database/database-clock';
import { Clock } from './clock';

/** `Clock` is the database's (DatabaseClock), so that instances agree on the time of the rules. */
@Global()
@Module({ providers: [{ provide: Clock, useClass: DatabaseClock }], exports: [Clock] })
export class CommonModule {}
