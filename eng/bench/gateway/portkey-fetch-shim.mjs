// Loaded into Portkey's process by run.sh (node --import) so that its streamed answers work on this machine's Node.
// Portkey 1.15.2 (and 1.9.8) appends its x-portkey-* headers to the Response that fetch returned for an SSE upstream,
// whose headers are immutable under Node 20's fetch: every streamed request then fails with "TypeError: immutable" in
// its updateHeaders. This wraps only streamed (text/event-stream) upstream answers in a new Response with a mutable copy
// of the same headers and the same body stream; JSON answers are passed through untouched. PK_SHIM=0 turns it off.
const upstreamFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const response = await upstreamFetch(...args);
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    return response;
  }
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers(response.headers),
  });
};
