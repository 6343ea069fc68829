// Imported by main.ts before the application loads: the old space's growth is bounded from the start.
import { tuneHeap } from './config/heap';

tuneHeap();
