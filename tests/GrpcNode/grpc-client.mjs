// Calls the gateway's gRPC front door with @grpc/grpc-js, from the same proto as the server, and prints
// what it saw as one JSON object: a generation, the model list, a streamed generation, and the rich
// details of refused calls.
// GRPC_ADDRESS=host:port CLIENT_KEY=... node grpc-client.mjs
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true,
  includeDirs: [path.join(here, '..', '..', 'proto'), path.join(here, 'protos')] };
const images = grpc.loadPackageDefinition(protoLoader.loadSync('imageorleans/v1/images.proto', options)).imageorleans.v1;

// google.rpc messages, to read the error details of the grpc-status-details-bin trailer.
const rpc = protobuf.loadSync(['status.proto', 'error_details.proto'].map(f => path.join(here, 'protos', 'google', 'rpc', f)));
const client = new images.Images(process.env.GRPC_ADDRESS, grpc.credentials.createInsecure());
const auth = new grpc.Metadata();
auth.set('authorization', `Bearer ${process.env.CLIENT_KEY}`);

const call = (method, request, metadata = auth, deadlineSeconds = 60) => new Promise((resolve, reject) =>
  client[method](request, metadata, { deadline: Date.now() + deadlineSeconds * 1000 }, (error, response) => error ? reject(error) : resolve(response)));

function details(error) {
  const bin = error.metadata.get('grpc-status-details-bin')[0];
  if (!bin) return { code: error.code, details: [] };
  const status = rpc.lookupType('google.rpc.Status').decode(bin);
  return {
    code: error.code,
    message: status.message,
    details: status.details.map(any => {
      const url = any.type_url;
      const name = url.substring(url.lastIndexOf('/') + 1);
      const type = rpc.lookupType(name);
      return { type: name, value: type.toObject(type.decode(any.value), { longs: Number }) };
    }),
  };
}

const result = {};
const generated = await call('Generate', { prompt: `a fox from Node ${Date.now()}`, quality: 'low', size: '1024x1024' });
result.generate = {
  images: generated.data.length,
  firstBytes: [...generated.data[0].imageBytes.subarray(0, 4)],
  contentType: generated.data[0].contentType,
  cache: generated.cache,
  size: generated.size,
};
result.models = (await call('ListModels', {})).data.map(m => m.id);

// Server streaming: partial images, then the completed answer.
result.stream = await new Promise((resolve, reject) => {
  const events = [];
  const stream = client.GenerateStream({ prompt: `a streamed fox from Node ${Date.now()}`, quality: 'low', partialImages: 2 }, auth,
    { deadline: Date.now() + 60_000 });
  stream.on('data', e => events.push(e.event === 'partialImage'
    ? { kind: 'partial', index: e.partialImage.partialImageIndex, firstBytes: [...e.partialImage.imageBytes.subarray(0, 4)] }
    : { kind: 'completed', images: e.completed.data.length, firstBytes: [...e.completed.data[0].imageBytes.subarray(0, 4)] }));
  stream.on('error', reject);
  stream.on('end', () => resolve(events));
});
try {
  await call('Generate', { prompt: 'a bad size', size: '13x7' });
  result.badSize = { code: 0 };
} catch (error) {
  result.badSize = details(error);
}
try {
  const wrong = new grpc.Metadata();
  wrong.set('authorization', 'Bearer not-a-key-of-this-gateway');
  await call('ListModels', {}, wrong);
  result.wrongKey = { code: 0 };
} catch (error) {
  result.wrongKey = details(error);
}
client.close();
process.stdout.write(JSON.stringify(result));
