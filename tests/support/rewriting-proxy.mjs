// A signaling server that cannot be trusted, for tests: an HTTP and
// WebSocket proxy in front of the real server that passes everything
// through but lets a test rewrite, drop or repeat the Socket.IO events the
// server sends each page (long-polling and WebSocket alike). Pages load the
// app through it, so it is their origin and their signaling server.
import http from "node:http";
import { WebSocket, WebSocketServer } from "ws";

const EVENT = /^42(\[.*)$/s; // an Engine.IO message carrying a Socket.IO event (no namespace, no ack)

/**
 * `rewrite(event, data, conn)` is called for every event the server sends
 * a page; it returns a list of [event, data] to send instead (the same one
 * to pass it on, none to drop it, two to repeat one). `conn` is an object
 * kept per Engine.IO session, for the test's own bookkeeping.
 */
export async function startRewritingProxy(upstreamUrl, rewrite, { host = "127.0.0.1" } = {}) {
  const up = new URL(upstreamUrl);
  const sessions = new Map(); // Engine.IO sid -> conn
  const connOf = (sid) => {
    if (!sessions.has(sid)) sessions.set(sid, {});
    return sessions.get(sid);
  };
  const rewritePacket = (packet, conn) => {
    const m = EVENT.exec(packet);
    if (!m) return [packet];
    let parsed;
    try {
      parsed = JSON.parse(m[1]);
    } catch {
      return [packet];
    }
    const out = rewrite(parsed[0], parsed[1], conn);
    if (process.env.FC_PROXY_TRACE) console.error(`proxy: ${parsed[0]} -> ${out.map(([e, d]) => `${e}:${JSON.stringify(d).slice(0, 80)}`).join(" | ")}`);
    return out.map(([event, data]) => `42${JSON.stringify([event, data])}`);
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      // As a reverse proxy does: the Host the page asked for goes on, so
      // the page's Origin is the server's "own" (cors.hpp).
      const headers = { ...req.headers };
      const preq = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers }, (pres) => {
        const out = [];
        pres.on("data", (c) => out.push(c));
        pres.on("end", () => {
          let body = Buffer.concat(out);
          const sid = new URL(req.url, "http://x").searchParams.get("sid");
          const polling = req.url.startsWith("/socket.io/") && req.method === "GET" && sid && !pres.headers["content-encoding"];
          if (polling && pres.statusCode === 200) {
            const conn = connOf(sid);
            body = Buffer.from(body.toString().split("\x1e").flatMap((p) => rewritePacket(p, conn)).join("\x1e"));
          }
          const h = { ...pres.headers };
          delete h["content-length"];
          delete h["transfer-encoding"];
          res.writeHead(pres.statusCode, h);
          res.end(body);
        });
      });
      preq.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      preq.end(Buffer.concat(chunks));
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    const sid = new URL(req.url, "http://x").searchParams.get("sid") ?? `ws-${Math.random()}`;
    const conn = connOf(sid);
    // No Origin upstream: to the server this is a native client.
    const upstream = new WebSocket(`ws://${up.host}${req.url}`);
    upstream.on("error", () => socket.destroy());
    upstream.on("open", () =>
      wss.handleUpgrade(req, socket, head, (client) => {
        client.on("message", (d, binary) => upstream.readyState === WebSocket.OPEN && upstream.send(binary ? d : d.toString()));
        upstream.on("message", (d, binary) => {
          if (client.readyState !== WebSocket.OPEN) return;
          if (binary) return client.send(d);
          for (const p of rewritePacket(d.toString(), conn)) client.send(p);
        });
        client.on("close", () => upstream.close());
        upstream.on("close", () => client.close());
        client.on("error", () => upstream.close());
      }),
    );
  });

  await new Promise((res) => server.listen(0, host, res));
  return {
    url: `http://${host}:${server.address().port}`,
    async stop() {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise((res) => server.close(res));
    },
  };
}
