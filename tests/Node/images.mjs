// Drives the gateway's Images API with the official openai npm package, as an application would:
// a 3-image edit with a mask, a variation, a streamed generation, a streamed edit and an aliased model.
// Prints one JSON line with what it saw; the .NET test (NodeSdkTests) checks it against the simulator.
import crypto from "node:crypto";
import zlib from "node:zlib";
import OpenAI, { toFile } from "openai";

const client = new OpenAI({ baseURL: new URL("v1", process.env.GATEWAY_URL).toString(), apiKey: process.env.API_KEY, maxRetries: 0 });
const run = process.env.RUN_ID;

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

// A small PNG, RGB or RGBA with a transparent middle (a mask), distinct per seed.
function png(size, seed, alpha = false) {
  const channels = alpha ? 4 : 3;
  const raw = Buffer.alloc(size * (size * channels + 1));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * (size * channels + 1) + 1 + x * channels;
      raw[p] = (x * 7 + seed) & 255;
      raw[p + 1] = (y * 5 + seed * 3) & 255;
      raw[p + 2] = (x ^ y ^ seed) & 255;
      if (alpha) raw[p + 3] = x > size / 4 && x < (3 * size) / 4 && y > size / 4 && y < (3 * size) / 4 ? 0 : 255;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = alpha ? 6 : 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const sha = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");
const images = [png(48, 21), png(48, 22), png(48, 23)];
const mask = png(48, 24, true);
const file = (bytes, name) => toFile(bytes, name, { type: "image/png" });

async function types(stream) {
  const seen = [];
  for await (const event of stream) seen.push({ type: event.type, index: event.partial_image_index ?? null, hasImage: !!event.b64_json, usage: event.usage ?? null });
  return seen;
}

const edit = await client.images.edit({
  model: "gpt-image-2.6-flare",
  prompt: `node sdk edit ${run}`,
  image: await Promise.all(images.map((bytes, i) => file(bytes, `input-${i}.png`))),
  mask: await file(mask, "mask.png"),
  quality: "low",
});

const variation = await client.images.createVariation({ model: "dall-e-2", image: await file(images[0], "variation.png"), size: "256x256" });

const streamedGeneration = await types(await client.images.generate({
  model: "gpt-image-2.6-flare", prompt: `node sdk stream ${run}`, stream: true, partial_images: 2,
}));

const streamedEdit = await types(await client.images.edit({
  model: "gpt-image-2.6-flare", prompt: `node sdk streamed edit ${run}`, image: await file(images[1], "streamed.png"), stream: true, partial_images: 1,
}));

const aliasedResponse = await client.images.generate({ model: "gpt-image-1", prompt: `node sdk alias ${run}`, quality: "low" }).withResponse();

console.log(JSON.stringify({
  edit: { images: edit.data.length, bytes: Buffer.from(edit.data[0].b64_json, "base64").length, usage: edit.usage },
  sent: { images: images.map(sha), mask: sha(mask) },
  variation: { images: variation.data.length, bytes: Buffer.from(variation.data[0].b64_json ?? "", "base64").length },
  streamedGeneration,
  streamedEdit,
  aliased: { model: aliasedResponse.response.headers.get("x-imageorleans-model"), deprecation: aliasedResponse.response.headers.get("deprecation"), images: aliasedResponse.data.data.length },
}));
