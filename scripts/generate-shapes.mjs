#!/usr/bin/env node
// Generates src/api/protocol/generated/<service>-shapes.json from botocore's service model: for
// every operation its input shape and every shape reachable from it, with only what request
// validation needs (types, members, required, enums, length/value bounds, patterns; no docs).
// The output is committed, so building Salvia never needs botocore.
//
//   node scripts/generate-shapes.mjs [--check] [path/to/botocore/data]
//
// Without a path the botocore of `python3` is used. `--check` writes nothing and exits 1 if a
// committed file differs from what the model gives (drift after a botocore upgrade).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const services = [
  { name: 'sagemaker', version: '2017-07-24' },
  { name: 'logs', version: '2014-03-28' },
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'src/api/protocol/generated');

const args = process.argv.slice(2);
const check = args.includes('--check');
const dataArg = args.find((arg) => arg !== '--check');
let stale = false;

function botocoreData() {
  if (dataArg) return dataArg;
  const dir = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
  return path.join(dir, 'data');
}

function readModel(dataDir, service) {
  const file = path.join(dataDir, service.name, service.version, 'service-2.json');
  try {
    return JSON.parse(gunzipSync(readFileSync(`${file}.gz`)).toString('utf8'));
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    return JSON.parse(readFileSync(file, 'utf8'));
  }
}

const scalarTypes = new Set(['string', 'integer', 'long', 'float', 'double', 'boolean', 'timestamp', 'blob']);

/** One shape reduced to its validation facts; `refs` collects the shapes it refers to. */
function compactShape(name, shape, refs) {
  const out = { type: shape.type };
  switch (shape.type) {
    case 'structure': {
      out.members = {};
      for (const [member, ref] of Object.entries(shape.members ?? {})) {
        out.members[member] = ref.shape;
        refs.push(ref.shape);
      }
      if (shape.required?.length) out.required = [...shape.required];
      if (shape.union) out.union = true;
      break;
    }
    case 'list':
      out.member = shape.member.shape;
      refs.push(shape.member.shape);
      break;
    case 'map':
      out.key = shape.key.shape;
      out.value = shape.value.shape;
      refs.push(shape.key.shape, shape.value.shape);
      break;
    default:
      if (!scalarTypes.has(shape.type)) throw new Error(`shape ${name} has unsupported type ${shape.type}`);
  }
  if (shape.min !== undefined) out.min = shape.min;
  if (shape.max !== undefined) out.max = shape.max;
  if (shape.pattern !== undefined) out.pattern = shape.pattern;
  if (shape.enum !== undefined) out.enum = [...shape.enum];
  return out;
}

for (const service of services) {
  const model = readModel(botocoreData(), service);
  const operations = {};
  const shapes = {};
  const pending = [];
  for (const name of Object.keys(model.operations).sort()) {
    const input = model.operations[name].input?.shape ?? null;
    operations[name] = input;
    if (input) pending.push(input);
  }
  while (pending.length > 0) {
    const name = pending.pop();
    if (name in shapes) continue;
    const shape = model.shapes[name];
    if (!shape) throw new Error(`shape ${name} is referenced but not defined`);
    const refs = [];
    shapes[name] = compactShape(name, shape, refs);
    pending.push(...refs);
  }
  const sorted = Object.fromEntries(
    Object.keys(shapes)
      .sort()
      .map((name) => [name, shapes[name]]),
  );
  const output = {
    service: service.name,
    apiVersion: model.metadata.apiVersion,
    targetPrefix: model.metadata.targetPrefix,
    source: `botocore data/${service.name}/${service.version}/service-2.json (uid ${model.metadata.uid})`,
    operations,
    shapes: sorted,
  };
  // One shape per line: small diffs when botocore changes, and still compact.
  const lines = ['{'];
  for (const key of ['service', 'apiVersion', 'targetPrefix', 'source']) lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(output[key])},`);
  const block = (key, record, last) => {
    const entries = Object.entries(record);
    lines.push(`  ${JSON.stringify(key)}: {`);
    entries.forEach(([name, value], i) => lines.push(`    ${JSON.stringify(name)}: ${JSON.stringify(value)}${i < entries.length - 1 ? ',' : ''}`));
    lines.push(last ? '  }' : '  },');
  };
  block('operations', operations, false);
  block('shapes', sorted, true);
  lines.push('}');
  const file = path.join(outDir, `${service.name}-shapes.json`);
  const text = lines.join('\n') + '\n';
  const summary = `${path.relative(root, file)}: ${Object.keys(operations).length} operations, ${Object.keys(sorted).length} shapes`;
  if (check) {
    const same = existsSync(file) && readFileSync(file, 'utf8') === text;
    if (!same) stale = true;
    console.log(`${summary}: ${same ? 'up to date' : 'STALE — run npm run generate'}`);
  } else {
    writeFileSync(file, text);
    console.log(summary);
  }
}
if (stale) process.exit(1);
