// A loopback-only OAuth 2.0 server for Tether's tests: oidc-provider with the client credentials
// grant, token introspection and revocation, plus an admin API under /admin to manage clients and
// read counters at runtime. See README.md.

import './lib/quiet-stdout.mjs';

import http from 'node:http';

import { adminHandler } from './lib/admin.mjs';
import {
  accessLogger,
  announce,
  exitOnSignals,
  listenOnLoopback,
  sendJson,
} from './lib/http.mjs';
import { createProvider, defaultTokenTtl } from './lib/provider.mjs';
import { ClientRegistry } from './lib/store.mjs';
import { TokenStats } from './lib/stats.mjs';

defaultTokenTtl(); // fail on a bad TOKEN_TTL_SECONDS before listening

const registry = new ClientRegistry();
const stats = new TokenStats();
const log = accessLogger('oidc');

// The issuer needs the port, which is only known once listening, so the provider is built after
// `listen`; until then (before READY) requests get 503.
let handle = (_req, res) => sendJson(res, 503, { error: 'starting' });
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
