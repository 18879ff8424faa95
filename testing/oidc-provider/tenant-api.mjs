// A stand-in for a tenant's API in end-to-end tests: every path answers 200 only for a bearer
// token that the OAuth server's introspection endpoint calls active (and, when asked, that
// belongs to the expected client). GET /admin/stats counts the requests. See README.md.

import './lib/quiet-stdout.mjs';

import http from 'node:http';

import {
  accessLogger,
  announce,
  exitOnSignals,
  isLoopback,
  listenOnLoopback,
  sendJson,
} from './lib/http.mjs';

const INTROSPECTION_TIMEOUT_MS = 5000;

const config = {
  introspectionUrl: required('INTROSPECTION_URL'),
  clientId: required('INTROSPECTION_CLIENT_ID'),
  clientSecret: required('INTROSPECTION_CLIENT_SECRET'),
  expectedClientId: process.env.EXPECTED_CLIENT_ID || undefined,
};

const stats = { requests: 0, accepted: 0, rejected: 0, by_client: {} };
const log = accessLogger('tenant-api');

const server = http.createServer((req, res) => {
  log(req, res);
  handle(req, res).catch(() => sendJson(res, 500, { ok: false, reason: 'internal error' }));
});

exitOnSignals(server);
announce(await listenOnLoopback(server));

async function handle(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');

  if (url.pathname.startsWith('/admin/')) {
    return admin(req, res, url.pathname);
  }

  stats.requests += 1;
  const outcome = await authorize(req, url);
  if (outcome.ok) {
    stats.accepted += 1;
    stats.by_client[outcome.clientId] = (stats.by_client[outcome.clientId] ?? 0) + 1;
    return sendJson(res, 200, { ok: true, client_id: outcome.clientId, path: url.pathname });
  }

  stats.rejected += 1;
  if (outcome.status === 401) {
    res.setHeader('www-authenticate', 'Bearer');
  }
  return sendJson(res, outcome.status, { ok: false, reason: outcome.reason });
}

async function authorize(req, url) {
  const match = /^bearer +(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) {
    return { ok: false, status: 401, reason: 'missing bearer token' };
  }

  let introspection;
  try {
    introspection = await introspect(match[1]);
  } catch {
    return { ok: false, status: 502, reason: 'introspection failed' };
  }

  if (introspection.active !== true) {
    return { ok: false, status: 401, reason: 'token is not active' };
  }
  const expected = url.searchParams.get('client_id') ?? config.expectedClientId;
  if (expected !== undefined && introspection.client_id !== expected) {
    return { ok: false, status: 401, reason: 'token belongs to another client' };
  }
  return { ok: true, clientId: introspection.client_id };
}

async function introspect(token) {
  const response = await fetch(config.introspectionUrl, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basicCredentials(config.clientId, config.clientSecret)}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(INTROSPECTION_TIMEOUT_MS),
  });
  if (response.status !== 200) {
    throw new Error(`introspection answered ${response.status}`);
  }
  return response.json();
}

// RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
function basicCredentials(id, secret) {
  const form = (value) => new URLSearchParams({ v: value }).toString().slice(2);
  return Buffer.from(`${form(id)}:${form(secret)}`).toString('base64');
}

function admin(req, res, path) {
  if (!isLoopback(req)) {
    return sendJson(res, 403, { error: 'admin API is loopback-only' });
  }
  if (path === '/admin/stats' && req.method === 'GET') {
    return sendJson(res, 200, stats);
  }
  if (path === '/admin/stats/reset' && req.method === 'POST') {
    Object.assign(stats, { requests: 0, accepted: 0, rejected: 0, by_client: {} });
    return sendJson(res, 200, stats);
  }
  return sendJson(res, 404, { error: 'not found' });
}

function required(name) {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`tenant-api: environment variable ${name} is required\n`);
    process.exit(2);
  }
  return value;
}
