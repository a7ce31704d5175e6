// Engine overhead per step and runs per second (`npm run bench -- engine`).
// Each case runs one prepared workflow many times through the local dry-run
// host; "template" is the cost of the JSONata work a step does, measured alone
// on the same compiled template, so that "overhead" is what the engine adds
// (scheduling, config evaluation plumbing, results, redaction). Per-step
// figures are CPU time (process.cpuUsage, GC threads included): wall time on a
// shared 2-core machine mostly measures the neighbours.
import {
  compileTemplate,
  prepareWorkflow,
  runWorkflow,
  validateWorkflow,
} from '../shared/src/index';
import type { ExpressionContext, StepHost, WorkflowNode } from '../shared/src/index';
import { availableParallelism, loadavg } from 'node:os';
import { createLocalStepHost } from '../desktop/dry-run/create-local-step-host';

const TARGET_US_PER_TRANSFORM = 20;
const host: StepHost = createLocalStepHost();

interface Case {
  name: string;
  steps: number;
  nodes: WorkflowNode[];
  edges: { from: string; to: string }[];
  runs: number;
  /** The work every step does, measured on its own: µs per step. */
  workUs: () => Promise<number>;
}

function chain(
  name: string,
  length: number,
  config: (i: number) => Record<string, unknown>,
  type = 'transform',
) {
  const nodes: WorkflowNode[] = [{ id: 'start', type: 'trigger.manual' }];
  const edges: { from: string; to: string }[] = [];
  for (let i = 1; i <= length; i++) {
    nodes.push({ id: `s${i}`, type, config: config(i) });
    edges.push({ from: i === 1 ? 'start' : `s${i - 1}`, to: `s${i}` });
  }
  return { name, nodes, edges, steps: length };
}

/** Wall and CPU time of `iterations` calls, in µs per call. CPU time is what to trust on a busy machine. */
async function time(
  iterations: number,
  fn: () => Promise<unknown>,
): Promise<{ wallUs: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  const wallUs = Number(process.hrtime.bigint() - started) / 1000 / iterations;
  const used = process.cpuUsage(cpu);
  return { wallUs, cpuUs: (used.user + used.system) / iterations };
}

const sampleContext: ExpressionContext = {
  trigger: { n: 1 },
  steps: { s1: 2 },
  env: {},
  execution: { id: 'bench', workflowName: 'bench', startedAt: new Date(0).toISOString() },
};

async function templateUs(source: string, iterations = 20_000): Promise<number> {
  const template = compileTemplate(source);
  await time(2000, () => template.evaluate(sampleContext));
  return (await time(iterations, () => template.evaluate(sampleContext))).cpuUs;
}

async function sandboxUs(code: string, iterations = 300): Promise<number> {
  const limits = { cpuMs: 1000, memoryBytes: 64 * 1024 * 1024 };
  const signal = new AbortController().signal;
  await time(30, () => host.sandbox.run(code, sampleContext, limits, signal));
  return (await time(iterations, () => host.sandbox.run(code, sampleContext, limits, signal)))
    .cpuUs;
}

const fanOut = (() => {
  const nodes: WorkflowNode[] = [{ id: 'start', type: 'trigger.manual' }];
  const edges: { from: string; to: string }[] = [];
  for (let i = 1; i <= 10; i++) {
    nodes.push({ id: `f${i}`, type: 'transform', config: { value: `{{ trigger.n * ${i} }}` } });
    edges.push({ from: 'start', to: `f${i}` }, { from: `f${i}`, to: 'join' });
  }
  const all = Array.from({ length: 10 }, (_, i) => `steps.f${i + 1}`).join(', ');
  nodes.push({ id: 'join', type: 'transform', config: { value: `{{ $sum([${all}]) }}` } });
  return { name: '(b) 10-way fan-out + fan-in (11 transforms)', nodes, edges, steps: 11 };
})();

const CODE = 'return (input.steps.prev ?? input.trigger.n) + 1;';

const cases: Case[] = [
  {
    ...chain('(a) chain of 25 transforms, 1 template each', 25, (i) => ({
      value: i === 1 ? '{{ trigger.n + 1 }}' : `{{ steps.s${i - 1} + 1 }}`,
    })),
    runs: 3000,
    workUs: () => templateUs('{{ steps.s1 + 1 }}'),
  },
  {
    ...chain('(a0) chain of 25 transforms, no template', 25, (i) => ({ value: { step: i } })),
    runs: 3000,
    workUs: () => Promise.resolve(0),
  },
  {
    ...fanOut,
    runs: 3000,
    workUs: async () =>
      (10 * (await templateUs('{{ trigger.n * 3 }}')) +
        (await templateUs(
          '{{ $sum([steps.s1, steps.s1, steps.s1, steps.s1, steps.s1, steps.s1, steps.s1, steps.s1, steps.s1, steps.s1]) }}',
        ))) /
      11,
  },
  {
    ...chain('(c) chain of 5 code.js steps (QuickJS)', 5, () => ({ code: CODE }), 'code.js'),
    runs: 100,
    workUs: () => sandboxUs(CODE),
  },
];

async function measure(bench: Case) {
  const checked = validateWorkflow({
    format: 'maestro/workflow@1',
    name: bench.name,
    nodes: bench.nodes,
    edges: bench.edges,
  });
  if (!checked.ok) throw new Error(`${bench.name}: ${JSON.stringify(checked.errors)}`);
  const prepared = prepareWorkflow(checked.workflow);
  const once = () => runWorkflow(prepared, { input: { n: 1 }, executionId: 'bench', host });
  const first = await once();
  if (first.status !== 'success') throw new Error(`${bench.name}: ${JSON.stringify(first.error)}`);
  await time(Math.ceil(bench.runs / 5), once); // warm-up: JIT, caches
  const run = await time(bench.runs, once);
  const cpuStepUs = run.cpuUs / bench.steps;
  const workUs = await bench.workUs();
  return {
    case: bench.name,
    'runs/s': Math.round(1e6 / run.wallUs),
    'wall µs/step': round(run.wallUs / bench.steps),
    'CPU µs/run': round(run.cpuUs),
    'CPU µs/step': round(cpuStepUs),
    'work µs/step': round(workUs),
    'overhead µs/step': round(cpuStepUs - workUs),
  };
}

const round = (value: number) => Math.round(value * 10) / 10;

const rows = [];
for (const bench of cases) rows.push(await measure(bench));
console.log(
  `engine bench: Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores; each case runs one prepared workflow sequentially`,
);
console.table(rows);
const chainOverhead = rows[0]?.['overhead µs/step'] ?? NaN;
console.log(
  `target ≤ ${TARGET_US_PER_TRANSFORM} µs engine overhead (CPU) per transform step (case a): ${chainOverhead} µs → ${chainOverhead <= TARGET_US_PER_TRANSFORM ? 'met' : 'MISSED'}`,
);
