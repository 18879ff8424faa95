// In-memory storage for oidc-provider: a client registry that the admin API edits at runtime, and
// an expiring key-value store for every other model (tokens, grants, sessions).
//
// oidc-provider looks clients up through the adapter on every request and caches them by a hash of
// their metadata, so adding, replacing or deleting an entry here takes effect on the next request.

export class ClientRegistry {
  #clients = new Map();

  // `entry` is { metadata, tokenTtlSeconds, strictAuthMethod }; metadata is oidc-provider client
  // metadata in snake_case.
  set(clientId, entry) {
    this.#clients.set(clientId, entry);
  }

  get(clientId) {
    return this.#clients.get(clientId);
  }

  delete(clientId) {
    return this.#clients.delete(clientId);
  }

  list() {
    return [...this.#clients.values()];
  }
}

class ExpiringStore {
  #items = new Map();

  get(key) {
    const item = this.#items.get(key);
    if (!item) {
      return undefined;
    }
    if (item.expiresAt !== undefined && item.expiresAt <= Date.now()) {
      this.#items.delete(key);
      return undefined;
    }
    return item.payload;
  }

  set(key, payload, expiresInSeconds) {
    const expiresAt = expiresInSeconds ? Date.now() + expiresInSeconds * 1000 : undefined;
    this.#items.set(key, { payload, expiresAt });
  }

  delete(key) {
    this.#items.delete(key);
  }

  entries() {
    return [...this.#items.entries()];
  }
}

// Returns the `adapter` option for the Provider configuration: a factory called once per model.
export function adapterFactory(registry) {
  const store = new ExpiringStore();

  return (modelName) => {
    if (modelName === 'Client') {
      return new ClientAdapter(registry);
    }
    return new ModelAdapter(modelName, store);
  };
}

class ClientAdapter {
  #registry;

  constructor(registry) {
    this.#registry = registry;
  }

  async find(id) {
    const entry = this.#registry.get(id);
    return entry ? structuredClone(entry.metadata) : undefined;
  }

  async upsert() {
    throw new Error('clients are managed through the admin API');
  }

  async destroy(id) {
    this.#registry.delete(id);
  }
}

class ModelAdapter {
  #name;
  #store;

  constructor(name, store) {
    this.#name = name;
    this.#store = store;
  }

  #key(id) {
    return `${this.#name}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    this.#store.set(this.#key(id), structuredClone(payload), expiresIn);
    if (payload.userCode) {
      this.#store.set(`${this.#name}:userCode:${payload.userCode}`, id, expiresIn);
    }
    if (payload.uid) {
      this.#store.set(`${this.#name}:uid:${payload.uid}`, id, expiresIn);
    }
  }

  async find(id) {
    const payload = this.#store.get(this.#key(id));
    return payload ? structuredClone(payload) : undefined;
  }

  async findByUserCode(userCode) {
    const id = this.#store.get(`${this.#name}:userCode:${userCode}`);
    return id ? this.find(id) : undefined;
  }

  async findByUid(uid) {
    const id = this.#store.get(`${this.#name}:uid:${uid}`);
    return id ? this.find(id) : undefined;
  }

  async consume(id) {
    const payload = this.#store.get(this.#key(id));
    if (payload) {
      payload.consumed = Math.floor(Date.now() / 1000);
    }
  }

  async destroy(id) {
    this.#store.delete(this.#key(id));
  }

  async revokeByGrantId(grantId) {
    for (const [key, payload] of this.#store.entries()) {
      if (key.startsWith(`${this.#name}:`) && payload?.grantId === grantId) {
        this.#store.delete(key);
      }
    }
  }
}
