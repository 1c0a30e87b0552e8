// A minimal OpenAI-compatible upstream for the gateway benchmarks: reads (and discards) the whole request body, then
// answers /v1/chat/completions as JSON, or as SSE when the body contains "stream":true, and /v1/models. Loopback only.
// GET /last-request answers the headers and the first 4 KB of the body of the last POST it received (aot-check.sh reads
// it to see what the gateway sent upstream).
// Usage: node mock-upstream.mjs <port>
import http from 'node:http';

const port = Number(process.argv[2] ?? 18091);
const created = 1700000000;
const json = JSON.stringify({
  id: 'chatcmpl-mock', object: 'chat.completion', created, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the mock.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
});
const chunk = (delta, finish) => 'data: ' + JSON.stringify({
  id: 'chatcmpl-mock', object: 'chat.completion.chunk', created, model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, finish_reason: finish }],
}) + '\n\n';
const sse = [chunk({ role: 'assistant', content: '' }, null), chunk({ content: 'Hello' }, null),
  chunk({ content: ' from the mock.' }, null), chunk({}, 'stop'), 'data: [DONE]\n\n'];
const models = JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created, owned_by: 'mock' }] });

let last = null;
http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  let size = 0;
  let head = '';
  let tail = '';
  req.on('data', (b) => {
    if (head.length < 4096) head += b.toString('latin1', 0, 4096);
    tail = (tail + b.toString('latin1', Math.max(0, b.length - 512))).slice(-512);
    size += b.length;
  });
  req.on('end', () => {
    if (req.method === 'POST') last = { url: req.url, headers: req.headers, body: head.slice(0, 4096) };
    if (req.method === 'GET' && req.url === '/last-request') {
      res.writeHead(last ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(last ?? {}));
    } else if (req.method === 'GET' && req.url.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(models);
    } else if (/"stream"\s*:\s*true/.test(head + tail)) {
      // Event by event, chunked, as providers stream.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of sse) res.write(event);
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(json);
    }
  });
}).listen(port, '127.0.0.1');
