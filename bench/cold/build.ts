/**
 * Builds for the cold-start bench: the deployed functions as `cdk synth` left them in cdk.out (the
 * template's function, its asset folder and environment), and each function's floor: a bundle of
 * the same AWS SDK and Powertools names the function's own files import, no project code, built
 * with the esbuild options derived from lib/bundling.ts. The function is rebuilt the same way too,
 * with a metafile, to list its largest inputs and to check that the derived options reproduce the
 * deployed bundle.
 */
import { readFileSync, readdirSync, statSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { build, type Metafile } from 'esbuild';
import ts from 'typescript';
import { CONNECTOR_BUNDLING } from '../../lib/bundling';
import { PROJECT_ROOT } from '../../lib/connector-function';
import {
  esbuildOptionsFrom,
  floorEntrySource,
  isFloorPackage,
  specifierPattern,
  standInSource,
  type TemplateValue,
  type ValueImport,
} from './parts';

export interface DeployedFunction {
  /** receiver, worker, reconciler: the construct id, lower-cased. */
  readonly name: string;
  readonly entry: string;
  readonly assetDir: string;
  readonly memorySize: number;
  readonly variables: Readonly<Record<string, TemplateValue>>;
}

interface TemplateFunction {
  Type: string;
  Properties: {
    Code?: { S3Key?: unknown };
    MemorySize?: number;
    Environment?: { Variables?: Record<string, TemplateValue> };
  };
}

/** The handler entries by function name, as lib/app-stack.ts gives them. */
export const ENTRIES: Readonly<Record<string, string>> = {
  receiver: 'lambdas/receiver/handler.ts',
  worker: 'lambdas/worker/handler.ts',
  reconciler: 'lambdas/reconciler/handler.ts',
};

/** The app stack's functions from cdk.out: logical ids `<Name>Function<hash>`. */
export function deployedFunctions(
  cdkOut: string,
  templateFile = 'AlayaCareConnectorApp.template.json',
): DeployedFunction[] {
  const template = JSON.parse(readFileSync(join(cdkOut, templateFile), 'utf8')) as {
    Resources: Record<string, TemplateFunction>;
  };
  const found: DeployedFunction[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const match = /^([A-Z][a-z]+)Function[0-9A-F]{8}$/.exec(logicalId);
    const name = match?.[1]?.toLowerCase();
    const entry = name !== undefined ? ENTRIES[name] : undefined;
    const key = resource.Properties.Code?.S3Key;
    if (name === undefined || entry === undefined || typeof key !== 'string') continue;
    found.push({
      name,
      entry,
      assetDir: join(cdkOut, `asset.${key.replace(/\.zip$/, '')}`),
      memorySize: resource.Properties.MemorySize ?? 128,
      variables: resource.Properties.Environment?.Variables ?? {},
    });
  }
  return found.sort(
    (a, b) => Object.keys(ENTRIES).indexOf(a.name) - Object.keys(ENTRIES).indexOf(b.name),
  );
}

/** Runs `npx cdk synth -q` in the project root. */
export function synth(): void {
  const result = spawnSync('npx', ['cdk', 'synth', '-q'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`cdk synth failed (exit ${result.status})`);
}

/** The size of the deployment package: the asset folder zipped as a Lambda upload. */
export function zipSize(dir: string, scratch: string): number {
  const zipFile = join(scratch, `${relative(PROJECT_ROOT, dir).replace(/[^a-z0-9]+/gi, '-')}.zip`);
  rmSync(zipFile, { force: true });
  const result = spawnSync('zip', ['-q', '-r', '-X', zipFile, '.'], { cwd: dir });
  if (result.status !== 0) throw new Error(`zip failed for ${dir}`);
  return statSync(zipFile).size;
}

export function fileSize(file: string): number {
  return statSync(file).size;
}

/** The value imports (no `import type`, no type-only names) of one TypeScript file. */
export function valueImports(file: string): ValueImport[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.ES2022,
    false,
  );
  const imports: ValueImport[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier))
      continue;
    const clause = statement.importClause;
    if (clause?.phaseModifier === ts.SyntaxKind.TypeKeyword) continue;
    const names: string[] = [];
    if (clause?.name !== undefined) names.push('default');
    const bindings = clause?.namedBindings;
    if (bindings !== undefined && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements)
        if (!element.isTypeOnly) names.push((element.propertyName ?? element.name).text);
    }
    // `import * as x` keeps the whole module: no names to narrow it to.
    if (bindings !== undefined && ts.isNamespaceImport(bindings)) names.push('*');
    if (clause !== undefined && names.length === 0) continue;
    imports.push({
      specifier: statement.moduleSpecifier.text,
      names: names.filter((name) => name !== '*'),
    });
  }
  return imports;
}

export interface FunctionBuild {
  readonly metafile: Metafile;
  /** index.js of the rebuild with the derived options. */
  readonly rebuiltBytes: number;
  /** The floor: the SDK and Powertools imports of the function's files, bundled alone. */
  readonly floor: BuiltBundle;
}

/** A bundle the bench built: its file and size. */
export interface BuiltBundle {
  readonly file: string;
  readonly bytes: number;
}

/** The options of a rebuild of the function into `outFile`: the deployed ones (lib/bundling.ts). */
function rebuildOptions(fn: DeployedFunction, outFile: string) {
  return {
    ...esbuildOptionsFrom(CONNECTOR_BUNDLING),
    entryPoints: [join(PROJECT_ROOT, fn.entry)],
    outfile: outFile,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent' as const,
  };
}

/** Project files (not node_modules) among a metafile's inputs. */
function projectInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter(
    (input) => !input.includes('node_modules/') && /\.ts$/.test(input),
  );
}

/** Bundles a floor entry (floorEntrySource) with the functions' options into `outFile`. */
async function buildFloor(source: string, label: string, outFile: string): Promise<BuiltBundle> {
  await build({
    ...esbuildOptionsFrom(CONNECTOR_BUNDLING),
    stdin: { contents: source, resolveDir: PROJECT_ROOT, sourcefile: `${label}.js`, loader: 'js' },
    outfile: outFile,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
  });
  return { file: outFile, bytes: fileSize(outFile) };
}

/** Rebuilds the function with the derived options (and a metafile), then builds its floor. */
export async function buildFunctionAndFloor(
  fn: DeployedFunction,
  scratch: string,
): Promise<FunctionBuild> {
  const outDir = join(scratch, fn.name);
  mkdirSync(outDir, { recursive: true });
  const rebuilt = await build({
    ...rebuildOptions(fn, join(outDir, 'function', 'index.js')),
    metafile: true,
  });
  const imports = projectInputs(rebuilt.metafile).flatMap((input) =>
    valueImports(join(PROJECT_ROOT, input)).filter((item) => isFloorPackage(item.specifier)),
  );
  return {
    metafile: rebuilt.metafile,
    rebuiltBytes: fileSize(join(outDir, 'function', 'index.js')),
    floor: await buildFloor(
      floorEntrySource(imports),
      `${fn.name}-floor`,
      join(outDir, 'floor', 'index.js'),
    ),
  };
}

/** The largest contributors to a bundle's output, by package (or project folder), in bytes. */
export function largestContributors(
  metafile: Metafile,
  top = 8,
): Array<{ name: string; bytes: number }> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      const name = pkg ?? input.split('/').slice(0, 2).join('/');
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

/** Files in an asset folder (index.js, index.js.map...). */
export function assetFiles(dir: string): string[] {
  return readdirSync(dir).sort();
}

/**
 * The export names of the module at `file`, as a bundle that imports it sees them (its `export *`
 * followed): esbuild's own account of a bundle of it alone.
 */
async function exportNames(file: string): Promise<string[]> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: 'names.js',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs).flatMap((output) => output.exports);
}

/** Marks the bench's own resolve of a specifier, which the stand-in must leave to esbuild. */
const REAL = Symbol('real module');

/**
 * The function rebuilt with the derived options, every import of `pkg` (`zod`, `zod/mini`...)
 * answered by a do-nothing stand-in with the export names of the module it replaces, resolved as
 * the function's bundle resolves it (parts.ts standInSource): what the function's start costs
 * without that package's code and the work done with it (`--without`). Undefined when the
 * function's bundle holds nothing of `pkg`.
 */
export async function buildWithout(
  fn: DeployedFunction,
  functionBuild: FunctionBuild,
  pkg: string,
  scratch: string,
): Promise<BuiltBundle | undefined> {
  const inPackage = `node_modules/${pkg}/`;
  if (!Object.keys(functionBuild.metafile.inputs).some((input) => input.includes(inPackage)))
    return undefined;
  const outFile = join(scratch, fn.name, 'without', 'index.js');
  await build({
    ...rebuildOptions(fn, outFile),
    plugins: [
      {
        name: 'without',
        setup(on) {
          on.onResolve({ filter: specifierPattern(pkg) }, async (args) => {
            if (args.pluginData === REAL) return undefined;
            const real = await on.resolve(args.path, {
              kind: args.kind,
              importer: args.importer,
              resolveDir: args.resolveDir,
              pluginData: REAL,
            });
            if (real.errors.length > 0) return { errors: real.errors };
            return { path: real.path, namespace: 'without' };
          });
          on.onLoad({ filter: /.*/, namespace: 'without' }, async (args) => ({
            contents: standInSource(await exportNames(args.path)),
            loader: 'js',
          }));
        },
      },
    ],
  });
  return { file: outFile, bytes: fileSize(outFile) };
}
