// A local Verify v1 stand-in that answers every start after a fixed latency, and counts the sockets the
// service opens to it (at most as many at once as the service's agent allows).
'use strict';
const http = require('node:http');
const { randomUUID } = require('node:crypto');

function startFakeProvider(latencyMs) {
  const stats = { sockets: 0, maxSockets: 0, starts: 0 };
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () =>
      setTimeout(() => {
        stats.starts += 1;
        const body = JSON.stringify({
          carrier: 'Fake Carrier',
          is_cellphone: true,
          message: 'Text message sent.',
          seconds_to_expire: 599,
          uuid: randomUUID(),
          success: true,
        });
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        response.end(body);
      }, latencyMs),
    );
  });
  server.on('connection', (socket) => {
    stats.sockets += 1;
    stats.maxSockets = Math.max(stats.maxSockets, stats.sockets);
    socket.on('close', () => (stats.sockets -= 1));
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/`,
        stats,
        close: () => new Promise((done) => server.close(done).closeAllConnections()),
      }),
    ),
  );
}

module.exports = { startFakeProvider };
