'use strict';
module.exports = require('./build/Release/memory_release.node');
