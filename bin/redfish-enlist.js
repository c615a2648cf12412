#!/usr/bin/env node
// Installed packages run the compiled CLI; a source checkout without a build runs the TypeScript
// directly (Node strips types natively from 22.18 on).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(compiled) ? compiled : new URL('../src/cli/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
