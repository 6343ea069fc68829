// Imported first by main.ts: libuv sizes its thread pool when it is first used.
import { sizeThreadPool } from './config/thread-pool';

sizeThreadPool();
