/**
 * zod/mini with zod's English messages, for the schemas the functions load. zod/mini is the same
 * validator as classic zod with functions instead of methods, so a bundle carries only what it
 * calls: classic zod costs about 75 KB and 10 ms more at every cold start (bench/cold.ts). Its
 * messages need a locale; this loads English, as classic zod does on import, so a failure still
 * reads `Too small: expected string to have >=1 characters` rather than `Invalid input`.
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

export * from 'zod/mini';
