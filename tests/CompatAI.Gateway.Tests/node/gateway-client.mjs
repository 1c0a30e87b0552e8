// Drives the CompatAI gateway with the official `openai` npm package and prints one JSON object with what it saw.
// Usage: node gateway-client.mjs <baseURL ending in /v1> <apiKey> <model served by the provider emulator>
import OpenAI from 'openai';

const [baseURL, apiKey, emulatorModel] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

const completion = await client.chat.completions.create({
  model: 'echo/echo-1',
  messages: [{ role: 'user', content: 'hello from node' }],
});
out.completion = { content: completion.choices[0].message.content, finish: completion.choices[0].finish_reason, usage: completion.usage };

const stream = await client.chat.completions.create({
  model: 'echo/story-1',
  messages: [{ role: 'user', content: 'tell me' }],
  stream: true,
  stream_options: { include_usage: true },
});
let text = '';
let finish = null;
let usage = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  for (const choice of chunk.choices) {
    text += choice.delta.content ?? '';
    finish = choice.finish_reason ?? finish;
  }
}
out.stream = { text, finish, usage, chunks };

const toolResponse = await client.chat.completions.create({
  model: 'tools/any',
  messages: [{ role: 'user', content: 'weather in Oslo?' }],
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
});
const call = toolResponse.choices[0].message.tool_calls?.[0];
out.toolCall = { finish: toolResponse.choices[0].finish_reason, name: call?.function.name, args: call ? JSON.parse(call.function.arguments) : null, id: call?.id };

const toolStream = await client.chat.completions.create({
  model: 'tools/any',
  stream: true,
  messages: [{ role: 'user', content: 'weather in Oslo?' }],
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
});
const streamedCalls = {};
for await (const chunk of toolStream) {
  for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
    const entry = (streamedCalls[tc.index] ??= { name: '', args: '' });
    entry.name += tc.function?.name ?? '';
    entry.args += tc.function?.arguments ?? '';
  }
}
out.streamedToolCalls = Object.values(streamedCalls);

try {
  await client.chat.completions.create({ model: 'echo/echo-1', messages: [], n: 1 });
  out.badRequest = 'no error';
} catch (e) {
  out.badRequest = { status: e.status, param: e.param ?? e.error?.param, type: e.type ?? e.error?.type };
}

try {
  await client.chat.completions.create({ model: 'faults/rate-limited', messages: [{ role: 'user', content: 'x' }] });
  out.rateLimited = 'no error';
} catch (e) {
  out.rateLimited = { status: e.status, retryAfter: e.headers?.get?.('retry-after') ?? null, code: e.code ?? null };
}

try {
  const broken = await client.chat.completions.create({ model: 'faults/breaks-mid-stream', messages: [{ role: 'user', content: 'x' }], stream: true });
  let got = '';
  for await (const chunk of broken) got += chunk.choices[0]?.delta.content ?? '';
  out.midStream = { error: null, got };
} catch (e) {
  out.midStream = { error: e.message, name: e.constructor.name };
}

const viaEmulator = await client.chat.completions.create({ model: emulatorModel, messages: [{ role: 'user', content: 'node via emulator' }] });
out.emulator = { content: viaEmulator.choices[0].message.content, model: viaEmulator.model };
const emulatorStream = await client.chat.completions.create({ model: emulatorModel, messages: [{ role: 'user', content: 'node stream via emulator' }], stream: true });
let emulatorText = '';
for await (const chunk of emulatorStream) emulatorText += chunk.choices[0]?.delta.content ?? '';
out.emulatorStream = emulatorText;

console.log(JSON.stringify(out));
