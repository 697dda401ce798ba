#!/usr/bin/env node
// The `factoredui` command. A committed file (not dist/cli.js itself) so package managers can
// link the bin on install, before the package is built in a workspace.
import '../dist/cli.js';
