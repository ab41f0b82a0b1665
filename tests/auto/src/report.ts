/** Output: one line per check (text or JSON), the summary line last. */

export interface Outcome {
  check: string;
  group: string;
  status: 'pass' | 'fail' | 'skip';
  ms: number;
  detail?: string;
  error?: string;
  metrics?: Record<string, number>;
}

export class Reporter {
  readonly outcomes: Outcome[] = [];
  constructor(
    private readonly json: boolean,
    private readonly write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  ) {}

  info(text: string): void {
    if (this.json) this.write(JSON.stringify({ info: text }));
    else this.write(`# ${text}`);
  }

  add(o: Outcome): void {
    this.outcomes.push(o);
    if (this.json) {
      this.write(JSON.stringify({ ...o, ok: o.status !== 'fail' }));
      return;
    }
    const mark = o.status === 'pass' ? 'PASS' : o.status === 'fail' ? 'FAIL' : 'SKIP';
    const extra = o.status === 'fail' ? `: ${o.error}` : o.detail ? `: ${o.detail}` : '';
    this.write(`${mark} ${o.group}/${o.check} (${o.ms} ms)${extra}`);
  }

  get passed(): number {
    return this.outcomes.filter((o) => o.status === 'pass').length;
  }
  get failed(): number {
    return this.outcomes.filter((o) => o.status === 'fail').length;
  }

  summary(): string {
    return summaryLine(this.passed, this.failed);
  }
}

export function summaryLine(passed: number, failed: number): string {
  return `${passed} passed, ${failed} failed`;
}
