/**
 * Jest reads `testTimeout` only from the root config, not per project, so each layer's time
 * limit is set here from the layer's folder (test/<layer>/...). The limits are generous on
 * purpose: they catch hangs, not slowness (speed is measured in bench/).
 */
const LAYER_TIMEOUT_MS: Record<string, number> = {
  unit: 15_000,
  integration: 60_000,
  infra: 180_000,
  e2e: 240_000,
};

const layer = /[\\/]test[\\/]([^\\/]+)[\\/]/.exec(expect.getState().testPath ?? '')?.[1];
jest.setTimeout(LAYER_TIMEOUT_MS[layer ?? ''] ?? 15_000);
