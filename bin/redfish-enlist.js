#!/usr/bin/env node
// The CLI. In a checkout it runs the TypeScript sources directly (Node strips types natively from
// 22.18 on), so what runs is always what is checked out; an installed package has no sources and
// runs the compiled dist/. Either way Node's compile cache keeps the code it compiled, type-stripped
// TypeScript included, so from the second run on neither path strips or compiles it again
// (stripping alone was ~0.2 s of CPU per start; NODE_COMPILE_CACHE says where, os.tmpdir() by default).
import './node-version.js';
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';

nodeModule.enableCompileCache?.();
const source = new URL('../src/cli/main.ts', import.meta.url);
const entry = existsSync(source) ? source : new URL('../dist/cli/main.js', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
