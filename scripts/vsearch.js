#!/usr/bin/env node
// `vsearch` bin: runs the TypeScript CLI through tsx, so a fresh clone needs no build step after `npm ci`.
require('tsx/cjs/api').register();
require('./vsearch.ts');
