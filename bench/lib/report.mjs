/** Renders bench/results/latest.json as a short markdown summary. */
export function renderMarkdown(latest) {
  const lines = ['# Benchmark results', ''];
  const parts = latest.parts ?? {};
  const any = Object.values(parts)[0];
  if (any) lines.push(`Commit ${any.commit ?? '?'}${any.uncommittedSourceChanges ? ` (+${any.uncommittedSourceChanges} uncommitted source files)` : ''}, Node ${any.node}, ${any.machine}. Shared machine: figures are noisy.`, '');
  for (const [name, part] of Object.entries(parts)) {
    lines.push(`## ${name}${part.quick ? ' (quick mode)' : ''}`, '', `Run ${part.date}, ${part.seconds} s.`, '');
    if (part.error) {
      lines.push(`**Failed:** ${part.error}`, '');
      continue;
    }
    const render = renderers[name];
    if (render) lines.push(...render(part.result), '');
  }
  return `${lines.join('\n')}\n`;
}

const fmt = (v, digits = 0) => (v === null || v === undefined ? '–' : typeof v === 'number' ? v.toFixed(digits) : String(v));
const table = (head, rows) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];

const renderers = {
  join(result) {
    const out = [];
    out.push(...table(['case', 'trials', 'min', 'median', 'p95', 'max', 'target'],
      result.cases.map((c) => [c.name, c.trials, fmt(c.totalMs.min), fmt(c.totalMs.p50), fmt(c.totalMs.p95), fmt(c.totalMs.max), c.target ?? ''])));
    out.push('', 'Median by phase (ms):', '');
    const withPhases = result.cases.filter((c) => c.phasesMedianMs);
    if (withPhases.length > 0) {
      const names = Object.keys(withPhases[0].phasesMedianMs);
      out.push(...table(['phase', ...withPhases.map((c) => c.name)], names.map((n) => [n, ...withPhases.map((c) => fmt(c.phasesMedianMs[n]))])));
    }
    return out;
  },
  signalling(result) {
    const out = [];
    out.push('KB/conn: (RSS − RSS before connections) / connections. The slope: least-squares RSS growth per connection over every window, which leaves out what any load grows back after an idle start (the young generation, malloc arenas).', '');
    for (const s of result.series) {
      out.push(`P = ${s.peersPerRoom} peers per room; idle RSS ${fmt(s.idleRssMB, 1)} MB ${s.idleReadAfterSeconds ?? 2} s after start, RSS before connections ${fmt(s.rssBeforeConnectionsMB, 1)} MB, slope ${fmt(s.rssSlopeKBPerConnection, 1)} KB per connection. Capacity: ${s.capacity ? `${s.capacity.connections} connections, ${s.capacity.messagesPerSecond} msg/s (p99 ${s.capacity.p99Ms} ms)` : 'none of the steps passed'}.`, '');
      out.push(...table(['rooms', 'window', 'conns', 'msg/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'lost', 'server CPU %', 'of it kernel %', 'RSS MB', 'KB/conn', 'ELD max ms', 'gen CPU %', 'pass'],
        s.steps.map((t) => [t.rooms, (t.window ?? 0) + 1, t.connections, fmt(t.messagesPerSecond), fmt(t.latencyMs.p50, 1), fmt(t.latencyMs.p99, 1), fmt(t.latencyMs.p999, 1), t.lost, fmt(t.server.cpuPercent), fmt(t.server.systemCpuPercent), fmt(t.server.rssMB), fmt(t.server.rssPerConnectionKB, 1), fmt(t.server.eventLoopDelayMaxMs, 1), fmt(t.generator.cpuPercent), t.pass ? 'yes' : 'no'])));
      out.push('');
    }
    return out;
  },
  chat(result) {
    const out = [];
    for (const db of result.databases) {
      out.push(`${db.database}: p99 passes 50 ms at ${db.p99Over50At ? `${db.p99Over50At} msg/s` : `no step (up to ${db.steps.at(-1)?.rate ?? '?'} msg/s)`}.`, '');
      out.push(...table(['msg/s', 'sent/s', 'deliveries', 'p50 ms', 'p99 ms', 'all-members p50', 'all-members p99', 'lost', 'errors', 'server CPU %'],
        db.steps.map((t) => [t.rate, fmt(t.sentPerSecond), t.deliveries, fmt(t.latencyMs.p50, 1), fmt(t.latencyMs.p99, 1), fmt(t.allMembersLatencyMs.p50, 1), fmt(t.allMembersLatencyMs.p99, 1), t.lost, Object.entries(t.errors).map(([k, v]) => `${k}:${v}`).join(' ') || '0', fmt(t.server.cpuPercent)])));
      out.push('');
    }
    return out;
  },
  weight(result) {
    const out = table(['page', 'JS gzip KB', 'CSS gzip KB', 'JS raw KB', 'served compressed', 'Lighthouse performance (median)', 'runs', 'accessibility', 'best practices'],
      result.pages.map((p) => [p.page, fmt(p.jsGzipKB, 1), fmt(p.cssGzipKB, 1), fmt(p.jsRawKB, 1), p.servedCompressed ? 'yes' : 'no', fmt(p.lighthouse?.median), p.lighthouse?.scores?.join(', ') ?? p.lighthouse?.error ?? '–', fmt(p.lighthouse?.accessibility), fmt(p.lighthouse?.bestPractices)]));
    return out;
  },
  multiprocess(result) {
    return table(['setup', 'conns', 'msg/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'lost'],
      result.cases.map((c) => [c.name, c.connections, fmt(c.messagesPerSecond), fmt(c.latencyMs.p50, 2), fmt(c.latencyMs.p99, 2), fmt(c.latencyMs.p999, 2), c.lost]))
      .concat(['', `Median added by the Redis hop: ${fmt(result.addedMedianMs, 2)} ms (target ≤ 2 ms).`]);
  },
};
