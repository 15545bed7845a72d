#!/usr/bin/env -S node --max-semi-space-size=64 --no-allocation-site-pretenuring
// The V8 flags (the same as `npm start`'s, a test keeps them so): a young generation large enough that a message's
// objects die in it while their batch is in flight (30-150 ms) instead of being promoted, and no pretenuring,
// which otherwise starts allocating such objects in the old generation. Measured in docs/benchmarks.md: the
// old-generation collections that made the slowest second of a run are rarer and smaller.
// Runs the TypeScript CLI directly (tsx), so there is no build step between a clone and a running CSMS.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
