/**
 * zod for the guard's runtime schemas: the functional `zod/mini` API, which tree-shakes (about a
 * quarter of classic zod in a function bundle, and much less work at cold start), with classic
 * zod's English issue messages so rejections still say what was wrong.
 *
 * Use as `import * as z from '../zod.ts'`.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
