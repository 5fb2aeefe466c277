// The official openai package, unchanged, against the gateway: upload a JSONL file, create a batch,
// poll it until it ends, read its output file. Prints one JSON summary line for the C# test to check.
// Usage: node batch.mjs BASE_URL API_KEY TAG
import OpenAI, { toFile } from 'openai';

const [baseURL, apiKey, tag] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });

const lines = ['a', 'b', 'c'].map((id) => JSON.stringify({
  custom_id: `node-${id}`,
  method: 'POST',
  url: '/v1/images/generations',
  body: { model: 'gpt-image-1', prompt: `node sdk ${tag} ${id}`, quality: 'low', size: '1024x1024' },
}));
const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'input.jsonl'), purpose: 'batch' });
let batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/images/generations', completion_window: '24h' });
const deadline = Date.now() + 30_000;
while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status) && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  batch = await client.batches.retrieve(batch.id);
}

const content = batch.output_file_id ? await (await client.files.content(batch.output_file_id)).text() : '';
const output = content.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
console.log(JSON.stringify({
  file: file.id,
  status: batch.status,
  counts: batch.request_counts,
  custom_ids: output.map((l) => l.custom_id),
  urls: output.map((l) => l.response.body.data[0].url),
}));
