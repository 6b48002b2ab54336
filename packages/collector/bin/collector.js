#!/usr/bin/env node
// Ships TypeScript sources; tsx compiles them on the fly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
await main();
