// Preloaded with `node -r`: at exit, writes every module the process loaded to $PGC_MODULES_OUT, one a line.
/* eslint-disable @typescript-eslint/no-require-imports */
/* global require */
'use strict';
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.PGC_MODULES_OUT)
    writeFileSync(process.env.PGC_MODULES_OUT, Object.keys(require.cache).join('\n'));
});
