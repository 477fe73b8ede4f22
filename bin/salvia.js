#!/usr/bin/env node
// The `salvia` command: runs the compiled CLI (npm ci / npm install builds it through `prepare`).
import '../dist/src/cli/main.js';
