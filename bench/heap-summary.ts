/**
 * Reads a V8 heap snapshot (bench:memory with BENCH_HEAP_SNAPSHOT) and prints where the bytes are:
 * self size summed by node type and constructor name, largest first. Divide by the number of cached
 * cases to see what one case costs.   npx tsx bench/heap-summary.ts <file.heapsnapshot> [cases]
 * Snapshots of a loaded worker pass Node's string limit, so the sections are read from the buffer.
 */
import { readFileSync } from 'node:fs';

interface Meta {
  meta: { node_fields: string[]; node_types: [string[], ...unknown[]] };
}

const [file, casesArg] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/heap-summary.ts <file.heapsnapshot> [cases]');
const cases = Number(casesArg ?? 1);
const buf = readFileSync(file);

function section(name: string): number {
  const at = buf.indexOf(`"${name}":`);
  if (at < 0) throw new Error(`no ${name} section in ${file}`);
  return buf.indexOf('[', at) + 1;
}

/** The numbers of a flat array section, read digit by digit. */
function numbers(name: string): Uint32Array {
  let out = new Uint32Array(1 << 20);
  let n = 0;
  let value = -1;
  for (let i = section(name); ; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) value = (value < 0 ? 0 : value * 10) + (c - 48);
    else {
      if (value >= 0) {
        if (n === out.length) {
          const grown = new Uint32Array(out.length * 2);
          grown.set(out);
          out = grown;
        }
        out[n++] = value;
        value = -1;
      }
      if (c === 93) return out.subarray(0, n); // ]
    }
  }
}

const meta = (JSON.parse(`${buf.toString('utf8', 0, buf.lastIndexOf(',', buf.indexOf('"nodes":')))}}`) as { snapshot: Meta }).snapshot;
const stringsStart = section('strings') - 1;
const strings = JSON.parse(buf.toString('utf8', stringsStart, buf.lastIndexOf(']') + 1)) as string[];
const nodes = numbers('nodes');
const fields = meta.meta.node_fields;
const types = meta.meta.node_types[0];
const width = fields.length;
const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
const totals = new Map<string, { bytes: number; count: number }>();
let all = 0;
for (let i = 0; i < nodes.length; i += width) {
  const type = types[nodes[i + typeAt]];
  const name = type.includes('string') ? '' : strings[nodes[i + nameAt]].slice(0, 60);
  const key = `${type} ${name}`;
  const size = nodes[i + sizeAt];
  all += size;
  const t = totals.get(key) ?? { bytes: 0, count: 0 };
  t.bytes += size;
  t.count += 1;
  totals.set(key, t);
}
console.log(`total ${(all / 2 ** 20).toFixed(1)} MiB; per case ${(all / cases / 1024).toFixed(1)} KiB`);
for (const [key, t] of [...totals].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 40)) {
  console.log(`${(t.bytes / 2 ** 20).toFixed(2).padStart(9)} MiB ${String(t.count).padStart(9)} × ${(t.bytes / cases / 1024).toFixed(1).padStart(8)} KiB/case  ${key}`);
}
