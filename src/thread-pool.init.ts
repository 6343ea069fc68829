// Imported first by main.ts: libuv sizes its thread pool when it is first used.
import { sizeThreadPool, startPoolAtLowPriority } from './config/thread-pool';

sizeThreadPool();
startPoolAtLowPriority();
