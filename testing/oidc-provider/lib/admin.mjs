// The admin API (not part of OAuth): register, replace and delete clients, read and reset the
// token endpoint counters. Loopback callers only; responses never contain secrets.

import { HttpError, isLoopback, readJson, sendJson } from './http.mjs';

const AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post']);
const CLIENT_FIELDS = new Set([
  'client_id',
  'client_secret',
  'token_endpoint_auth_method',
  'scope',
  'token_ttl_seconds',
  'strict_auth_method',
]);

export function adminHandler(provider, registry, stats) {
  return async (req, res) => {
    try {
      if (!isLoopback(req)) {
        throw new HttpError(403, 'admin API is loopback-only');
      }
      await route(req, res, provider, registry, stats);
    } catch (err) {
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.message });
      } else {
        sendJson(res, 500, { error: 'internal error' });
      }
    }
  };
}

async function route(req, res, provider, registry, stats) {
  const path = new URL(req.url, 'http://127.0.0.1').pathname;
  const clientMatch = /^\/admin\/clients\/([^/]+)$/.exec(path);

  if (path === '/admin/stats' && req.method === 'GET') {
    return sendJson(res, 200, stats);
  }
  if (path === '/admin/stats/reset' && req.method === 'POST') {
    stats.reset();
    return sendJson(res, 200, stats);
  }
  if (path === '/admin/clients' && req.method === 'GET') {
    return sendJson(res, 200, { clients: registry.list().map(describe) });
  }
  if (path === '/admin/clients' && req.method === 'POST') {
    const body = await readJson(req);
    if (registry.get(body.client_id)) {
      throw new HttpError(409, 'client already exists');
    }
    const entry = await buildEntry(provider, body);
    registry.set(entry.metadata.client_id, entry);
    return sendJson(res, 201, describe(entry));
  }
  if (clientMatch) {
    const clientId = decodeURIComponent(clientMatch[1]);
    const existing = registry.get(clientId);
    if (!existing) {
      throw new HttpError(404, 'no such client');
    }
    if (req.method === 'DELETE') {
      registry.delete(clientId);
      res.writeHead(204).end();
      return undefined;
    }
    if (req.method === 'PUT') {
      // Fields not given keep their value, so `{client_secret}` alone rotates the secret.
      const body = await readJson(req);
      if (body.client_id !== undefined && body.client_id !== clientId) {
        throw new HttpError(400, 'client_id in the body does not match the path');
      }
      const merged = { ...current(existing), ...body, client_id: clientId };
      const entry = await buildEntry(provider, merged);
      registry.set(clientId, entry);
      return sendJson(res, 200, describe(entry));
    }
  }
  throw new HttpError(404, 'not found');
}

async function buildEntry(provider, body) {
  for (const key of Object.keys(body)) {
    if (!CLIENT_FIELDS.has(key)) {
      throw new HttpError(400, `unknown field ${key}`);
    }
  }
  const { client_id: clientId, client_secret: secret, scope } = body;
  const method = body.token_endpoint_auth_method ?? 'client_secret_basic';
  if (typeof clientId !== 'string' || clientId === '') {
    throw new HttpError(400, 'client_id must be a non-empty string');
  }
  if (typeof secret !== 'string' || secret === '') {
    throw new HttpError(400, 'client_secret must be a non-empty string');
  }
  if (!AUTH_METHODS.has(method)) {
    const accepted = [...AUTH_METHODS].join(' or ');
    throw new HttpError(400, `token_endpoint_auth_method must be ${accepted}`);
  }
  if (scope !== undefined && typeof scope !== 'string') {
    throw new HttpError(400, 'scope must be a space-separated string');
  }
  const ttl = body.token_ttl_seconds;
  if (ttl !== undefined && ttl !== null && !(Number.isInteger(ttl) && ttl > 0)) {
    throw new HttpError(400, 'token_ttl_seconds must be a positive integer');
  }
  const strict = body.strict_auth_method ?? true;
  if (typeof strict !== 'boolean') {
    throw new HttpError(400, 'strict_auth_method must be a boolean');
  }

  const metadata = {
    client_id: clientId,
    client_secret: secret,
    token_endpoint_auth_method: method,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    ...(scope !== undefined ? { scope } : {}),
  };
  try {
    await provider.Client.validate(structuredClone(metadata));
  } catch (err) {
    throw new HttpError(400, `invalid client metadata: ${err.error_description ?? err.message}`);
  }
  return { metadata, tokenTtlSeconds: ttl ?? undefined, strictAuthMethod: strict };
}

function current(entry) {
  const { metadata } = entry;
  return {
    client_id: metadata.client_id,
    client_secret: metadata.client_secret,
    token_endpoint_auth_method: metadata.token_endpoint_auth_method,
    scope: metadata.scope,
    token_ttl_seconds: entry.tokenTtlSeconds,
    strict_auth_method: entry.strictAuthMethod,
  };
}

function describe(entry) {
  return {
    client_id: entry.metadata.client_id,
    token_endpoint_auth_method: entry.metadata.token_endpoint_auth_method,
    scope: entry.metadata.scope ?? null,
    token_ttl_seconds: entry.tokenTtlSeconds ?? null,
    strict_auth_method: entry.strictAuthMethod,
  };
}
