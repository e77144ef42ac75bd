// hadolint's default rules that matter for these images, written out because hadolint's binary
// can't be downloaded here. Rule ids are hadolint's, so a finding reads the same as in its docs.
import { Instruction, execForm, flag, parseDockerfile, stages } from './dockerfile';

export interface Finding {
  rule: string;
  line: number;
  message: string;
}

export function lintDockerfile(text: string): Finding[] {
  const instructions = parseDockerfile(text);
  const all = stages(instructions);
  const findings: Finding[] = [];
  const report = (rule: string, ins: Instruction, message: string) => findings.push({ rule, line: ins.line, message });
  const globalArgs = new Set(
    instructions
      .slice(0, instructions.findIndex((i) => i.keyword === 'FROM'))
      .filter((i) => i.keyword === 'ARG')
      .map((i) => i.args.split('=')[0]),
  );

  const names = new Set<string>();
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [image, , alias] = ins.args.split(/\s+/);
      if (!names.has(image)) checkBaseImage(image, ins, report, globalArgs);
      if (alias) {
        if (names.has(alias)) report('DL3024', ins, `stage name ${alias} is used twice`);
        names.add(alias);
      }
    }
    if (ins.keyword === 'ADD') report('DL3020', ins, 'use COPY instead of ADD for files and folders');
    if (ins.keyword === 'MAINTAINER') report('DL4000', ins, 'MAINTAINER is deprecated');
    if (ins.keyword === 'WORKDIR' && !ins.args.startsWith('/') && !ins.args.startsWith('$')) report('DL3000', ins, 'use an absolute WORKDIR');
    if (ins.keyword === 'EXPOSE') {
      for (const port of ins.args.split(/\s+/)) {
        const n = Number.parseInt(port, 10);
        if (!(n >= 0 && n <= 65535)) report('DL3011', ins, `invalid port ${port}`);
      }
    }
    if ((ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') && !execForm(ins.args)) {
      report('DL3025', ins, `use the JSON (exec) form for ${ins.keyword} so signals reach the process`);
    }
    if (ins.keyword === 'RUN') checkRun(ins, report);
    if (ins.keyword === 'COPY') {
      const from = flag(ins, 'from');
      if (from !== undefined && !names.has(from) && !/[:/]/.test(from)) report('DL3022', ins, `COPY --from=${from} names no earlier stage`);
    }
  }

  for (const stage of all) {
    const count = (k: string) => stage.instructions.filter((i) => i.keyword === k);
    if (count('CMD').length > 1) report('DL4003', count('CMD')[1], 'multiple CMD: only the last one takes effect');
    if (count('ENTRYPOINT').length > 1) report('DL4004', count('ENTRYPOINT')[1], 'multiple ENTRYPOINT: only the last one takes effect');
    if (count('HEALTHCHECK').length > 1) report('DL3012', count('HEALTHCHECK')[1], 'multiple HEALTHCHECK');
    // Relative COPY destinations before any WORKDIR land in an unknown directory.
    let workdir = false;
    for (const ins of stage.instructions) {
      if (ins.keyword === 'WORKDIR') workdir = true;
      if (ins.keyword === 'COPY' && !workdir) {
        const dest = (execForm(ins.args) ?? ins.args.split(/\s+/)).at(-1)!;
        if (!dest.startsWith('/') && !dest.startsWith('$')) report('DL3045', ins, 'COPY to a relative destination without WORKDIR set');
      }
    }
  }

  const last = all.at(-1);
  if (last) {
    const users = last.instructions.filter((i) => i.keyword === 'USER');
    const from = instructions.find((i) => i.keyword === 'FROM' && i.args.startsWith(last.image))!;
    if (!users.length) report('DL3002', from, 'the final stage sets no USER: the container would run as root');
    else if (/^(root|0)(:|$)/.test(users.at(-1)!.args)) report('DL3002', users.at(-1)!, 'last USER should not be root');
  }
  return findings.sort((a, b) => a.line - b.line);
}

type Report = (rule: string, ins: Instruction, message: string) => void;

function checkBaseImage(image: string, ins: Instruction, report: Report, globalArgs: Set<string>): void {
  if (image === 'scratch') return;
  if (/\$\{?(\w+)/.test(image)) {
    const name = /\$\{?(\w+)/.exec(image)![1];
    if (!globalArgs.has(name)) report('DL3006', ins, `FROM ${image} uses an undeclared ARG`);
    return;
  }
  if (image.includes('@sha256:')) return;
  const lastSegment = image.split('/').at(-1)!;
  if (!lastSegment.includes(':')) report('DL3006', ins, `always tag the base image: ${image}`);
  else if (lastSegment.endsWith(':latest')) report('DL3007', ins, `pin a version instead of latest: ${image}`);
}

function checkRun(ins: Instruction, report: Report): void {
  // Split on && ; || so each command is checked by itself.
  const commands = ins.args.split(/&&|\|\||;/).map((c) => c.trim());
  if (/(^|\s)sudo\s/.test(ins.args)) report('DL3004', ins, 'do not use sudo: it has unpredictable TTY and signal behaviour');
  if (/\|/.test(ins.args.replace(/\|\|/g, '')) && !/set -o pipefail|-o pipefail/.test(ins.args)) {
    report('DL4006', ins, 'set -o pipefail before a pipe, or a failing command is hidden');
  }
  for (const cmd of commands) {
    const words = cmd.split(/\s+/);
    if (words[0] === 'cd') report('DL3003', ins, 'use WORKDIR to switch directory');
    if (words[0] === 'apk' && words[1] === 'add') {
      if (!words.includes('--no-cache')) report('DL3019', ins, 'use apk add --no-cache');
      for (const pkg of words.slice(2).filter((w) => !w.startsWith('-'))) {
        if (!pkg.includes('=')) report('DL3018', ins, `pin the apk package version: ${pkg}`);
      }
    }
    if (words[0] === 'apt-get' && words.includes('install')) {
      if (!words.includes('--no-install-recommends')) report('DL3015', ins, 'use apt-get install --no-install-recommends');
      if (!words.includes('-y') && !words.includes('--yes')) report('DL3014', ins, 'use apt-get install -y');
      for (const pkg of words.slice(words.indexOf('install') + 1).filter((w) => !w.startsWith('-'))) {
        if (!pkg.includes('=')) report('DL3008', ins, `pin the apt package version: ${pkg}`);
      }
    }
    if (words[0] === 'apt-get' && words.includes('install') && !/rm -rf \/var\/lib\/apt\/lists/.test(ins.args)) {
      report('DL3009', ins, 'delete the apt lists after installing');
    }
    if (words[0] === 'apt-get' && ['upgrade', 'dist-upgrade'].includes(words[1])) report('DL3005', ins, 'do not apt-get upgrade in an image');
    if (words[0] === 'npm' && (words[1] === 'install' || words[1] === 'i')) {
      const pkgs = words.slice(2).filter((w) => !w.startsWith('-'));
      if (!pkgs.length) report('DL3016', ins, 'use npm ci (lockfile) rather than npm install in an image');
      for (const pkg of pkgs) if (!/@[^/]+$/.test(pkg.replace(/^@/, ''))) report('DL3016', ins, `pin the npm package version: ${pkg}`);
    }
  }
}
