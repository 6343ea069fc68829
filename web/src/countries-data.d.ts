import type { CountryRow } from './countries.js';

/** Written by web/build.mjs from libphonenumber-js's metadata. */
export declare const COUNTRIES: readonly CountryRow[];
