// Counts requests to the token endpoint, in total and per client, whatever their outcome.

export class TokenStats {
  #total = 0;
  #byClient = new Map();

  record(clientId) {
    this.#total += 1;
    const key = clientId ?? '(unknown)';
    this.#byClient.set(key, (this.#byClient.get(key) ?? 0) + 1);
  }

  reset() {
    this.#total = 0;
    this.#byClient.clear();
  }

  toJSON() {
    return {
      token_requests: this.#total,
      by_client: Object.fromEntries(this.#byClient),
    };
  }
}

// The client a token request claims to be, for counting only: the id in a Basic header (decoded
// the way RFC 6749 §2.3.1 asks), else `client_id` from the form body or the query string.
export function claimedClientId(ctx) {
  const header = ctx.get('authorization');
  if (header) {
    const [scheme, value] = header.split(' ');
    if (scheme?.toLowerCase() !== 'basic' || !value) {
      return undefined;
    }
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) {
      return undefined;
    }
    try {
      return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
    } catch {
      return undefined;
    }
  }
  return ctx.oidc?.params?.client_id ?? ctx.oidc?.body?.client_id ?? ctx.query.client_id;
}
