#!/usr/bin/env node
// ort_run.js — run an ONNX model through ONNX Runtime (CPU), the reference vggc is
// checked and measured against.
//
//   node tools/ort/ort_run.js MODEL.onnx [--threads N] [--bench ITERS] [--warmup W]
//        --input in0.npy [--input in1.npy ...] [--output out0.npy ...]
//
// Inputs bind to the model's graph inputs in order (session.inputNames); outputs,
// in session.outputNames order, are written as .npy when --output is given. With
// --bench, after W warmup runs (default 3) ITERS runs of session.run alone are
// timed and one JSON line goes to stdout:
//   {"median_ms":..,"min_ms":..,"times_ms":[..],"peak_rss_mb":..}
// Session creation is never timed. Without --bench and --output, each output's
// name, type and shape are printed.
//
// ONNX Runtime comes from <repo>/.deps/ort (scripts/install-deps.sh puts it there).
// Any failure: `ort_run: error: ...` on stderr and exit code 1.
'use strict';

const fs = require('fs');
const path = require('path');

const ORT_PATH = path.join(__dirname, '..', '..', '.deps', 'ort', 'node_modules', 'onnxruntime-node');

class UsageError extends Error {}

function fail(msg) {
  process.stderr.write(`ort_run: error: ${msg}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------
// .npy reading and writing: format versions 1.0, 2.0 (and 3.0, which only
// differs by a UTF-8 header), C order, dtypes below. Little-endian host assumed
// (x86-64), as the dtypes are.

const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

// descr -> ORT tensor type, typed array, element size
const NPY_DTYPES = {
  '<f4': { ort: 'float32', Array: Float32Array, size: 4 },
  '<i8': { ort: 'int64', Array: BigInt64Array, size: 8 },
  '|b1': { ort: 'bool', Array: Uint8Array, size: 1 },
};
const ORT_TO_DESCR = { float32: '<f4', int64: '<i8', bool: '|b1' };

function parseNpyHeader(text, file) {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new Error(`${file}: malformed .npy header: ${text.trim()}`);
  if (fortran[1] === 'True') throw new Error(`${file}: Fortran-order arrays are not supported (C order only)`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (!/^\d+$/.test(s)) throw new Error(`${file}: bad dimension '${s}' in .npy shape`);
    return Number(s);
  });
  return { descr: descr[1], dims };
}

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(NPY_MAGIC)) {
    throw new Error(`${file}: not a .npy file (bad magic)`);
  }
  const major = buf[6];
  const minor = buf[7];
  let headerLen;
  let headerStart;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new Error(`${file}: truncated .npy header`);
    headerLen = buf.readUInt32LE(8);
    headerStart = 12;
  } else {
    throw new Error(`${file}: unsupported .npy format version ${major}.${minor}`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > buf.length) throw new Error(`${file}: truncated .npy header`);
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', headerStart, dataStart);
  const { descr, dims } = parseNpyHeader(header, file);
  const dt = NPY_DTYPES[descr];
  if (!dt) {
    throw new Error(`${file}: unsupported dtype '${descr}' (supported: ${Object.keys(NPY_DTYPES).join(', ')})`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const nbytes = count * dt.size;
  if (buf.length - dataStart !== nbytes) {
    throw new Error(`${file}: data is ${buf.length - dataStart} bytes, shape [${dims}] of ${descr} needs ${nbytes}`);
  }
  // Copy into a fresh, aligned typed array (the file buffer's offset may not be).
  const data = new dt.Array(count);
  new Uint8Array(data.buffer).set(buf.subarray(dataStart, dataStart + nbytes));
  return { type: dt.ort, data, dims };
}

function writeNpy(file, type, data, dims) {
  const descr = ORT_TO_DESCR[type];
  if (!descr) throw new Error(`${file}: cannot write output of type '${type}' as .npy`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that the data starts on a 64-byte boundary; end with \n.
  let version = 1;
  let prefix = 10;
  if (header.length + 1 + prefix > 0xffff) {
    version = 2;
    prefix = 12;
  }
  const total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  header = header + ' '.repeat(total - prefix - header.length - 1) + '\n';
  const head = Buffer.alloc(prefix);
  NPY_MAGIC.copy(head, 0);
  head[6] = version;
  head[7] = 0;
  if (version === 1) head.writeUInt16LE(header.length, 8);
  else head.writeUInt32LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

// ---------------------------------------------------------------------------
// Command line

const USAGE =
  'usage: node tools/ort/ort_run.js MODEL.onnx [--threads N] [--bench ITERS] [--warmup W] ' +
  '--input in0.npy [--input in1.npy ...] [--output out0.npy ...]';

function parseArgs(argv) {
  const opts = { model: null, threads: 1, bench: 0, warmup: 3, inputs: [], outputs: [] };
  const intArg = (name, v, min) => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < min) {
      throw new UsageError(`${name} needs an integer >= ${min}, got '${v === undefined ? '' : v}'`);
    }
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--threads': opts.threads = intArg(a, next(), 1); break;
      case '--bench': opts.bench = intArg(a, next(), 1); break;
      case '--warmup': opts.warmup = intArg(a, next(), 0); break;
      case '--input': opts.inputs.push(next()); break;
      case '--output': opts.outputs.push(next()); break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
        if (opts.model !== null) throw new UsageError(`more than one model given ('${opts.model}', '${a}')`);
        opts.model = a;
    }
  }
  if (opts.model === null) throw new UsageError('no model given');
  if (opts.inputs.length === 0) throw new UsageError('no --input given');
  return opts;
}

function median(sorted) {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) fail(`${e.message}\n${USAGE}`);
    throw e;
  }

  let ort;
  try {
    ort = require(ORT_PATH);
  } catch (e) {
    throw new Error(`cannot load onnxruntime-node from ${ORT_PATH} (run scripts/install-deps.sh): ${e.message}`);
  }
  if (!fs.existsSync(opts.model)) throw new Error(`${opts.model}: no such file`);

  const session = await ort.InferenceSession.create(opts.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
  });
  const inNames = session.inputNames;
  const outNames = session.outputNames;
  if (opts.inputs.length !== inNames.length) {
    throw new Error(`${opts.model}: the model has ${inNames.length} input(s) (${inNames.join(', ')}), ` +
      `${opts.inputs.length} --input given`);
  }
  if (opts.outputs.length > outNames.length) {
    throw new Error(`${opts.model}: the model has ${outNames.length} output(s) (${outNames.join(', ')}), ` +
      `${opts.outputs.length} --output given`);
  }

  const feeds = {};
  inNames.forEach((name, i) => {
    const a = readNpy(opts.inputs[i]);
    feeds[name] = new ort.Tensor(a.type, a.data, a.dims);
  });

  let results;
  if (opts.bench > 0) {
    for (let i = 0; i < opts.warmup; i++) results = await session.run(feeds);
    const times = [];
    for (let i = 0; i < opts.bench; i++) {
      const t0 = process.hrtime.bigint();
      results = await session.run(feeds);
      const t1 = process.hrtime.bigint();
      times.push(Number(t1 - t0) / 1e6);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const round = (x) => Math.round(x * 1000) / 1000;
    const report = {
      median_ms: round(median(sorted)),
      min_ms: round(sorted[0]),
      times_ms: times.map(round),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(JSON.stringify(report) + '\n');
  } else {
    results = await session.run(feeds);
  }

  opts.outputs.forEach((file, i) => {
    const t = results[outNames[i]];
    writeNpy(file, t.type, t.data, t.dims);
  });
  if (opts.bench === 0 && opts.outputs.length === 0) {
    for (const name of outNames) {
      const t = results[name];
      process.stdout.write(`${name}: ${t.type} [${t.dims.join(', ')}]\n`);
    }
  }
  await session.release();
}

main().catch((e) => fail(e && e.message ? e.message.trim() : String(e)));
