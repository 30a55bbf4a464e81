/**
 * The static value-import graph of a function: every project file its entry reaches through
 * `import` and `export ... from` statements that carry a value, and the packages those files
 * import. That is what runs when the bundle is required. `import()` is not followed, its targets
 * listed apart (`deferredFiles`): test/unit/cold-start-imports.test.ts checks that no handler has
 * any (adapters/first-use.ts says why) and which SDK clients each reaches.
 *
 * Conservative on purpose: an import whose names are all used as types only still counts (esbuild
 * would drop it), so the walk may name a package the start does not load, never the reverse.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** `@scope/name` or `name` of a bare specifier (`@aws-sdk/client-sqs/x` gives `@aws-sdk/client-sqs`); undefined for a relative one. */
export function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** One module a file reaches: statically (at start) or through `import()` (on first use). */
export interface ModuleReference {
  readonly specifier: string;
  readonly deferred: boolean;
}

function isTypeOnlyImport(statement: ts.ImportDeclaration): boolean {
  const clause = statement.importClause;
  if (clause === undefined) return false; // `import 'x'`: run for its effects.
  if (clause.phaseModifier === ts.SyntaxKind.TypeKeyword) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  if (bindings === undefined || ts.isNamespaceImport(bindings)) return false;
  // `import { type A, type B } from 'x'` names no value.
  return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

function isTypeOnlyExport(statement: ts.ExportDeclaration): boolean {
  if (statement.isTypeOnly) return true;
  const clause = statement.exportClause;
  return (
    clause !== undefined &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((element) => element.isTypeOnly)
  );
}

/** The modules one TypeScript source refers to with a value, static or through `import('...')`. */
export function moduleReferences(source: string, fileName = 'module.ts'): ModuleReference[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const references: ModuleReference[] = [];
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      if (!isTypeOnlyImport(statement))
        references.push({ specifier: statement.moduleSpecifier.text, deferred: false });
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      if (!isTypeOnlyExport(statement))
        references.push({ specifier: statement.moduleSpecifier.text, deferred: false });
    } else if (
      ts.isImportEqualsDeclaration(statement) &&
      !statement.isTypeOnly &&
      ts.isExternalModuleReference(statement.moduleReference) &&
      ts.isStringLiteral(statement.moduleReference.expression)
    ) {
      references.push({ specifier: statement.moduleReference.expression.text, deferred: false });
    }
  }
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      references.push({ specifier: node.arguments[0].text, deferred: true });
    ts.forEachChild(node, visit);
  };
  visit(file);
  return references;
}

/** The file a relative specifier names, as TypeScript's node resolution finds it. */
function resolveRelative(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const candidates = [`${base}.ts`, join(base, 'index.ts'), base];
  const found = candidates.find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  );
  // A reference the walk cannot follow would hide part of the graph: refuse rather than guess.
  if (found === undefined) throw new Error(`cannot resolve ${specifier} from ${from}`);
  return found;
}

export interface StaticGraph {
  /** Project files run at start, relative to the root, sorted. */
  readonly files: readonly string[];
  /** Packages those files import (Node's built-ins left out), sorted. */
  readonly packages: readonly string[];
  /** Project modules only `import()` reaches from the start's files, relative to the root, sorted. */
  readonly deferredFiles: readonly string[];
}

/** Walks the static value imports from `entry` (a path relative to `root`). */
export function staticGraph(root: string, entry: string): StaticGraph {
  const files = new Set<string>();
  const packages = new Set<string>();
  const deferred = new Set<string>();
  const pending = [resolve(root, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    // JSON and other non-code files import nothing.
    if (!file.endsWith('.ts')) continue;
    for (const { specifier, deferred: later } of moduleReferences(
      readFileSync(file, 'utf8'),
      file,
    )) {
      if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      const pkg = packageName(specifier);
      if (pkg !== undefined) {
        if (!later) packages.add(pkg);
        continue;
      }
      const target = resolveRelative(file, specifier);
      if (later) deferred.add(target);
      else pending.push(target);
    }
  }
  const relativeSorted = (set: Iterable<string>) =>
    [...set].map((file) => relative(root, file)).sort();
  return {
    files: relativeSorted(files),
    packages: [...packages].sort(),
    deferredFiles: relativeSorted([...deferred].filter((file) => !files.has(file))),
  };
}
