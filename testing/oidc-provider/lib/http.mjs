// Small HTTP helpers shared by the OAuth server and the tenant API: JSON bodies and responses,
// the loopback check, the READY line and opt-in access logging.

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const MAX_JSON_BODY = 64 * 1024;

export function isLoopback(req) {
  return LOOPBACK.has(req.socket.remoteAddress);
}

export function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export async function readJson(req) {
  const chunks = [];
  let received = 0;
  for await (const chunk of req) {
    received += chunk.length;
    if (received > MAX_JSON_BODY) {
      throw new HttpError(413, 'body too large');
    }
    chunks.push(chunk);
  }
  if (received === 0) {
    return {};
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error('not an object');
    }
    return value;
  } catch {
    throw new HttpError(400, 'body must be a JSON object');
  }
}

export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Listens on 127.0.0.1 at env PORT; 0 (the default) lets the kernel pick a free port.
export function listenOnLoopback(server) {
  const port = Number.parseInt(process.env.PORT ?? '0', 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got ${process.env.PORT}`);
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
}

// The one line a test harness waits for.
export function announce(port) {
  process.stdout.write(`READY ${port}\n`);
}

// Access logging is off unless LOG_REQUESTS=1. Only the method, the path without its query, the
// status and the duration are written: never headers, bodies or query strings.
export function accessLogger(name) {
  if (process.env.LOG_REQUESTS !== '1') {
    return () => {};
  }
  return (req, res) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = (req.url ?? '').split('?')[0];
      process.stderr.write(`${name} ${req.method} ${path} ${res.statusCode} ${ms.toFixed(1)}ms\n`);
    });
  };
}

export function exitOnSignals(server) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      server.close();
      process.exit(0);
    });
  }
}
