// Standard output carries exactly one line, `READY <port>`, which test harnesses wait for.
// oidc-provider prints its notices with console.info, so console output is sent to stderr.
// Imported first by each server.

const toStderr = (...args) => console.error(...args);
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;
