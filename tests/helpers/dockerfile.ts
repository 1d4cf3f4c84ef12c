/**
 * A Dockerfile read as BuildKit reads what the template tests check: stages, their bases, build arguments, and which
 * stages a build with given arguments runs (the last stage, the stages it is built FROM and those it COPYs --from).
 * Line continuations and comments are handled; heredocs and parser directives other than `syntax` are not.
 */

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** FROM's argument as written (it may name an earlier stage, and use global build arguments). */
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM: name → default (undefined when it has none). */
  globalArgs: Record<string, string | undefined>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const globalArgs: Dockerfile['globalArgs'] = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      const [, from, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      stages.push({ from, name, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`${keyword} before the first FROM`);
      Object.assign(globalArgs, argDeclaration(args));
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

function argDeclaration(args: string): Record<string, string | undefined> {
  const [, name, value] = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(args)!;
  return { [name]: value };
}

/** `${NAME}` and `$NAME` replaced by their values (unset: empty), as in FROM lines and ENV values. */
export function substitute(text: string, values: Record<string, string | undefined>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => values[braced ?? bare!] ?? '');
}

/** A stage as a build runs it. */
export interface BuiltStage extends Stage {
  /** Its base image, when it is not built FROM another stage. */
  image?: string;
  /** Images (not stages) it COPYs --from. */
  copiedImages: string[];
  /** Its ARGs' values. */
  args: Record<string, string | undefined>;
  /** On the built stage's FROM chain: the image inherits its files and ENV (other stages give only copied files). */
  inImage: boolean;
}

/**
 * The stages `docker build --build-arg …` runs for its last stage, that stage first: a stage's `ARG NAME` without a
 * default takes the global one; a build argument overrides both.
 */
export function stagesBuilt(file: Dockerfile, buildArgs: Record<string, string> = {}): BuiltStage[] {
  const global = { ...file.globalArgs, ...buildArgs };
  const byName = new Map(file.stages.flatMap((stage) => (stage.name ? [[stage.name, stage] as const] : [])));
  const built = new Map<Stage, BuiltStage>();
  const visit = (stage: Stage, inImage: boolean) => {
    const seen = built.get(stage);
    if (seen) {
      seen.inImage ||= inImage;
      return;
    }
    const args: BuiltStage['args'] = {};
    for (const { args: declaration } of stage.instructions.filter((i) => i.keyword === 'ARG')) {
      const [[name, value]] = Object.entries(argDeclaration(declaration));
      args[name] = buildArgs[name] ?? value ?? file.globalArgs[name];
    }
    const from = substitute(stage.from, global);
    const sources = stage.instructions.flatMap((i) => (i.keyword === 'COPY' ? (/--from=(\S+)/.exec(i.args)?.slice(1) ?? []) : []));
    built.set(stage, {
      ...stage,
      image: byName.has(from) ? undefined : from,
      copiedImages: sources.filter((source) => !byName.has(source)),
      args,
      inImage,
    });
    if (byName.has(from)) visit(byName.get(from)!, inImage);
    for (const source of sources) if (byName.has(source)) visit(byName.get(source)!, false);
  };
  visit(file.stages[file.stages.length - 1], true);
  return [...built.values()];
}

/** The built image's environment: the ENVs of its FROM chain, base first, each with its stage's ARGs substituted. */
export function imageEnv(stages: BuiltStage[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const stage of stages.filter((s) => s.inImage).reverse()) {
    for (const { args } of stage.instructions.filter((i) => i.keyword === 'ENV')) {
      for (const [, name, value] of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
        env[name] = substitute(value.replace(/^"|"$/g, ''), { ...stage.args, ...env });
      }
    }
  }
  return env;
}
