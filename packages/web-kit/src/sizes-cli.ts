#!/usr/bin/env node
import { SIZE_GOAL_BYTES, formatSizes, measureBundle } from './sizes.js';

// Prints the browser bundle's size (pnpm web:sizes); exits 1 when it is over the goal, so CI can hold the line.
const sizes = await measureBundle();
console.log(formatSizes(sizes));
if (sizes.gzippedBytes > SIZE_GOAL_BYTES) process.exitCode = 1;
