// The browser tests serve the built client (dist/web): build it from the current sources first.
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = function buildWebClient() {
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'web', 'build.mjs')], {
    stdio: 'inherit',
  });
};
