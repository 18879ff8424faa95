// A loopback-only OAuth 2.0 server for Tether's tests: oidc-provider with the client credentials
// grant, token introspection and revocation, plus an admin API under /admin to manage clients and
// read counters at runtime. See README.md.

import './lib/quiet-stdout.mjs';

import http from 'node:http';

import { adminHandler } from './lib/admin.mjs';
import { accessLogger, announce, exitOnSignals, listenOnLoopback } from './lib/http.mjs';
import { createProvider } from './lib/provider.mjs';
import { ClientRegistry } from './lib/store.mjs';
import { TokenStats } from './lib/stats.mjs';

const registry = new ClientRegistry();
const stats = new TokenStats();
const log = accessLogger('oidc');

// The issuer needs the port, which is only known once listening: requests are routed to
// `handle` after it is built.
let handle;
const server = http.createServer((req, res) => {
  log(req, res);
  handle(req, res);
});

const port = await listenOnLoopback(server);

const provider = createProvider(`http://127.0.0.1:${port}`, registry, stats);
const admin = adminHandler(provider, registry, stats);
const oidc = provider.callback();

handle = (req, res) => {
  if (req.url === '/admin' || req.url.startsWith('/admin/')) {
    admin(req, res);
  } else {
    oidc(req, res);
  }
};

exitOnSignals(server);
announce(port);
