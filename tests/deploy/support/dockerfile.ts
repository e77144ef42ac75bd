// A small Dockerfile reader: enough of the syntax for the repository's Dockerfiles to be linted
// and replayed outside Docker (no engine runs on these machines).

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY… */
  keyword: string;
  /** Flags such as --from=build or --mount=type=cache,target=/root/.npm, in order. */
  flags: string[];
  /** The rest of the instruction, continuation lines joined with a space. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface Stage {
  index: number;
  /** The AS name, or the index as a string. */
  name: string;
  image: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split('\n');
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const trimmed = raw.trim();
    // Comment lines are dropped even inside a continuation, as Docker does.
    if (trimmed.startsWith('#') || (!buffer && !trimmed)) continue;
    if (!buffer) start = i + 1;
    if (trimmed.endsWith('\\')) {
      buffer += trimmed.slice(0, -1).trim() + ' ';
      continue;
    }
    buffer += trimmed;
    out.push(toInstruction(buffer.trim(), start));
    buffer = '';
  }
  if (buffer.trim()) out.push(toInstruction(buffer.trim(), start));
  return out;
}

function toInstruction(text: string, line: number): Instruction {
  const keyword = text.split(/\s+/, 1)[0];
  let args = text.slice(keyword.length).trim();
  const flags: string[] = [];
  while (args.startsWith('--')) {
    const match = /^(--\S+)\s*/.exec(args)!;
    flags.push(match[1]);
    args = args.slice(match[0].length);
  }
  return { keyword: keyword.toUpperCase(), flags, args, line };
}

export function stages(instructions: Instruction[]): Stage[] {
  const result: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [image, as, name] = ins.args.split(/\s+/);
      const index = result.length;
      result.push({ index, name: as?.toUpperCase() === 'AS' ? name : String(index), image, instructions: [] });
    } else if (result.length) {
      result[result.length - 1].instructions.push(ins);
    }
  }
  return result;
}

/** The value of a flag such as --from=build, or undefined. */
export function flag(ins: Instruction, name: string): string | undefined {
  const prefix = `--${name}=`;
  return ins.flags.find((f) => f.startsWith(prefix))?.slice(prefix.length);
}

/** Exec form (JSON array) or undefined when the instruction uses the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** KEY=VALUE pairs of ENV or ARG (quotes removed), with ${VAR} and $VAR substituted from vars. */
export function keyValues(args: string, vars: Record<string, string>): Array<[string, string | undefined]> {
  const pairs: Array<[string, string | undefined]> = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  for (const m of args.matchAll(re)) {
    let value = m[2];
    if (value !== undefined) {
      if (/^["']/.test(value)) value = value.slice(1, -1);
      value = value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => vars[a ?? b] ?? '');
    }
    pairs.push([m[1], value]);
  }
  return pairs;
}
