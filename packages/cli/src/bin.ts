#!/usr/bin/env node
import { main } from './main.js';

// exitCode rather than process.exit(), so output still queued on a pipe is flushed first.
process.exitCode = await main(process.argv.slice(2));
