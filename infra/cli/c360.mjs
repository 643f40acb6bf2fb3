#!/usr/bin/env node
// The `c360` command: loads TypeScript (no build step), then the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./c360.cli.ts');
