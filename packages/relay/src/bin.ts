#!/usr/bin/env node
import { relayMain } from './main.js';

process.exitCode = await relayMain(process.argv.slice(2));
