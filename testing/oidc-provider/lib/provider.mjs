// Builds the oidc-provider instance: client credentials and introspection on, opaque access
// tokens, clients from the runtime registry, and two middlewares (token counting and the strict
// authentication-method check).

import crypto from 'node:crypto';

import Provider, { errors } from 'oidc-provider';

import { adapterFactory } from './store.mjs';
import { claimedClientId } from './stats.mjs';

export const TOKEN_PATH = '/token';
export const INTROSPECTION_PATH = '/token/introspection';
export const REVOCATION_PATH = '/token/revocation';

export function defaultTokenTtl() {
  const raw = process.env.TOKEN_TTL_SECONDS ?? '3600';
  const ttl = Number.parseInt(raw, 10);
  if (!Number.isInteger(ttl) || ttl <= 0) {
    throw new Error(`TOKEN_TTL_SECONDS must be a positive integer, got ${raw}`);
  }
  return ttl;
}

export function createProvider(issuer, registry, stats) {
  const defaultTtl = defaultTokenTtl();
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', kid: 'test' };

  const provider = new Provider(issuer, {
    adapter: adapterFactory(registry),
    clients: [],
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    scopes: scopeVocabulary(),
    routes: {
      token: TOKEN_PATH,
      introspection: INTROSPECTION_PATH,
      revocation: REVOCATION_PATH,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Any authenticated client may introspect any token (the tenant API is such a client).
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true },
      // No resource servers are defined, so a `resource` parameter is refused and access tokens
      // stay opaque (introspectable, not JWTs).
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo() {
          throw new errors.InvalidTarget('this test server defines no resource servers');
        },
      },
    },
    clientBasedCORS: () => false,
    renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = out;
    },
    ttl: {
      ClientCredentials(_ctx, _token, client) {
        return registry.get(client.clientId)?.tokenTtlSeconds ?? defaultTtl;
      },
    },
  });

  provider.use(countTokenRequests(stats));
  provider.use(enforceRegisteredAuthMethod(registry));

  return provider;
}

// Scopes the provider knows. oidc-provider only enforces a client's `scope` allow-list for these,
// so every scope a test wants to forbid must be listed (env SCOPES, space separated).
function scopeVocabulary() {
  const extra = (process.env.SCOPES ?? 'read write admin').split(' ').filter(Boolean);
  return ['openid', 'offline_access', ...extra];
}

function countTokenRequests(stats) {
  return async (ctx, next) => {
    if (ctx.path !== TOKEN_PATH) {
      return next();
    }
    try {
      await next();
    } finally {
      stats.record(claimedClientId(ctx));
    }
  };
}

// oidc-provider accepts a secret in the body from a client registered for client_secret_basic,
// and a Basic header from one registered for client_secret_post. Tests must be able to tell the
// two apart, so a successful authentication through the other mechanism is turned into
// `invalid_client` here (per client, `strict_auth_method: false` keeps the lenient behaviour).
function enforceRegisteredAuthMethod(registry) {
  return async (ctx, next) => {
    await next();

    const client = ctx.oidc?.client;
    const route = ctx.oidc?.route;
    if (!client || !['token', 'introspection', 'revocation'].includes(route) || ctx.status >= 400) {
      return;
    }
    if (registry.get(client.clientId)?.strictAuthMethod === false) {
      return;
    }
    const used = ctx.get('authorization') ? 'client_secret_basic' : 'client_secret_post';
    if (used === client.clientAuthMethod) {
      return;
    }

    await ctx.oidc.entities.ClientCredentials?.destroy();
    ctx.status = 401;
    ctx.body = {
      error: 'invalid_client',
      error_description: `client is registered for ${client.clientAuthMethod} but used ${used}`,
    };
  };
}
