import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The chaos test alone (excluded from `npm test`, see vitest.config.ts).
export default mergeConfig(
  base,
  defineConfig({ test: { include: ['test/integration/chaos.test.ts'], exclude: [] } }),
);
