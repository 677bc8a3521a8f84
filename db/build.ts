// Builds the embedded FerretDB engine from the Go module proxy, once per engine version.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(here, '..');
const SOURCE_DIR = join(here, 'ferretdb');

/** The FerretDB version pinned in db/ferretdb/go.mod. */
export function engineVersion(): string {
  const goMod = readFileSync(join(SOURCE_DIR, 'go.mod'), 'utf8');
  const match = /github\.com\/FerretDB\/FerretDB (v[\w.-]+)/.exec(goMod);
  if (!match?.[1]) throw new Error('db/ferretdb/go.mod does not pin github.com/FerretDB/FerretDB');
  return match[1];
}

/** Where built engines live; ENGINE_DIR overrides (read at each call, so tests can point it elsewhere). */
function engineDir(): string {
  return process.env.ENGINE_DIR ?? join(PROJECT_ROOT, '.engine');
}

/** The binary's path: the version and a hash of the wrapper's sources, so either change rebuilds. */
export function enginePath(): string {
  const hash = createHash('sha256');
  const sources = readdirSync(SOURCE_DIR)
    .filter((file) => /\.(go|sql)$|^go\.(mod|sum)$/.test(file))
    .sort();
  for (const file of sources) hash.update(file).update(readFileSync(join(SOURCE_DIR, file)));
  for (const fix of FERRETDB_FIXES) hash.update(fix.file).update(fix.find).update(fix.replace);
  for (const file of readdirSync(MODULE_ADDITIONS, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(MODULE_ADDITIONS, file);
    if (file.endsWith('.go')) hash.update(file).update(readFileSync(path));
  }
  return join(engineDir(), `ferretdb-${engineVersion()}-${hash.digest('hex').slice(0, 10)}`);
}

export function goAvailable(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

export class EngineUnavailableError extends Error {
  constructor() {
    super(
      'The embedded database engine (FerretDB) is not built and Go is not installed to build it.\n' +
        'Either install Go 1.24 or later and run `npm run engine:build`,\n' +
        'or point the platform at a MongoDB server: MONGODB_URI=mongodb://host:27017 npm start',
    );
    this.name = 'EngineUnavailableError';
  }
}

/** Builds the engine unless the current version is already there. Returns the binary's path. */
export function buildEngine(log: (line: string) => void = console.log): string {
  const target = enginePath();
  if (existsSync(target)) return target;
  if (!goAvailable()) throw new EngineUnavailableError();

  mkdirSync(engineDir(), { recursive: true });
  log(`Building FerretDB ${engineVersion()} with Go (first time only, about a minute)...`);
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' };
  execFileSync('go', ['mod', 'download', 'github.com/FerretDB/FerretDB'], { cwd: SOURCE_DIR, stdio: ['ignore', 'inherit', 'inherit'], env });
  try {
    const goMod = writePatchedModule(target);
    execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w', `-modfile=${goMod}`, '-o', target, '.'], {
      cwd: SOURCE_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    });
  } finally {
    for (const scratch of [`${target}.src`, `${target}.go.mod`, `${target}.go.sum`]) rmSync(scratch, { recursive: true, force: true });
  }
  removeStaleBinaries(target);
  log(`FerretDB built: ${target}`);
  return target;
}

/** A change to one of FerretDB's own files, applied to a copy of the module at build time. */
interface SourceFix {
  /** Path inside the FerretDB module. */
  file: string;
  find: string;
  replace: string;
  /** How many times `find` occurs (1 unless said). */
  occurrences?: number;
}

/** Go files added to the module copy, at the same paths under db/ferretdb/_module (`_` hides them from the Go tool). */
const MODULE_ADDITIONS = join(SOURCE_DIR, '_module');

// In v1.24.2 `update` defers closing each statement's query until the whole command returns, so
// a command of N statements holds N pooled backend connections (plus one per write) and hangs the
// engine for good once that reaches the pool's 50. Closed right after the statement's write, one
// command uses two connections whatever its size.
const CLOSE_EACH_UPDATE: readonly SourceFix[] = [
  {
    file: 'internal/handler/msg_update.go',
    find: '\t\tcloser := iterator.NewMultiCloser()\n\t\tdefer closer.Close()\n',
    replace: '\t\tcloser := iterator.NewMultiCloser()\n',
  },
  {
    file: 'internal/handler/msg_update.go',
    find: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
    replace: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\tcloser.Close()\n',
  },
];

// v1.24.2 evaluates $in and ranges, and sorts, limits and counts, in Go after reading and
// converting every matching row, so a page of 20 from 14,000 matches costs seconds. These hooks
// call _module's pushdown_exact.go: PostgreSQL answers _id from its btree, $in from the GIN
// index, and ranges of strings, orders by top-level fields (in BSON type order), applies the limit when the filter is
// pushed down exactly (equalities to strings or booleans, ranges of strings), and answers such
// counts with count(*).
const LIMIT_PUSHDOWN = `\t// Limit pushdown is not applied if:
\t//  - pushdown is disabled;
\t//  - \`filter\` is set, it must fetch all documents to filter them in memory;
\t//  - \`sort\` is set, it must fetch all documents and sort them in memory;
\t//  - \`skip\` is non-zero value, skip pushdown is not supported yet.
\tif !h.DisablePushdown && params.Filter.Len() == 0 && params.Sort.Len() == 0 && params.Skip == 0 {
\t\tqp.Limit = params.Limit
\t}
`;
const SORT_LIMIT_COUNT_IN_SQL: readonly SourceFix[] = [
  {
    file: 'internal/handler/msg_find.go',
    find: LIMIT_PUSHDOWN,
    replace: '\tpushOrderAndLimit(h.DisablePushdown, params.Filter, params.Sort, params.Skip, params.Limit, &qp.Sort, &qp.Limit)\n',
  },
  {
    file: 'internal/handler/msg_explain.go',
    find: LIMIT_PUSHDOWN,
    // An aggregation runs its $sort in Go whatever explain says, so explain says so too.
    replace: '\tpushOrderAndLimit(h.DisablePushdown || params.Aggregate, params.Filter, params.Sort, params.Skip, params.Limit, &qp.Sort, &qp.Limit)\n',
  },
  {
    file: 'internal/handler/msg_find.go',
    find: '\titer, err := common.SortIterator(iter, closer, params.Sort)\n',
    replace:
      '\tsort := params.Sort\n\tif backendSorts(h.DisablePushdown, sort) {\n\t\tsort = nil\n\t}\n\n\titer, err := common.SortIterator(iter, closer, sort)\n',
  },
  {
    file: 'internal/handler/msg_count.go',
    find: '\tvar qp backends.QueryParams\n',
    replace:
      '\tif n, counted, err := countInBackend(connCtx, c, h.DisablePushdown, params.Filter, params.Skip, params.Limit); counted {\n' +
      '\t\tif err != nil {\n\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n\n' +
      '\t\treturn documentOpMsg(must.NotFail(types.NewDocument("n", n, "ok", float64(1))))\n\t}\n\n' +
      '\tvar qp backends.QueryParams\n',
  },
  {
    file: 'internal/backends/collection.go',
    find: '\tOnlyRecordIDs bool\n',
    replace: '\tOnlyRecordIDs bool\n\tOnlyCount     bool\n',
  },
  {
    file: 'internal/backends/collection.go',
    find: '\t\tmust.BeTrue(params.Sort.Len() == 1)\n\t\tsortValue := params.Sort.Map()["$natural"].(int64)\n\n\t\tif sortValue != -1 && sortValue != 1 {\n\t\t\tpanic("sort value must be 1 (for ascending) or -1 (for descending)")\n\t\t}\n',
    replace:
      '\t\tfor _, sortValue := range params.Sort.Map() {\n\t\t\tif sortValue != int64(-1) && sortValue != int64(1) {\n\t\t\t\tpanic("sort value must be 1 (for ascending) or -1 (for descending)")\n\t\t\t}\n\t\t}\n',
    occurrences: 2,
  },
  {
    file: 'internal/backends/postgresql/query.go',
    find: '\t\t\t\tdefault:\n\t\t\t\t\t// $gt and $lt\n',
    replace:
      '\t\t\t\tcase "$in":\n\t\t\t\t\tif f, a := filterIn(p, key, v, keyOperator); f != "" {\n' +
      '\t\t\t\t\t\tfilters = append(filters, f)\n\t\t\t\t\t\targs = append(args, a...)\n\t\t\t\t\t}\n\n' +
      '\t\t\t\tcase "$gt", "$gte", "$lt", "$lte":\n\t\t\t\t\tif rootKey == key {\n' +
      '\t\t\t\t\t\tif f, a := filterStringRange(p, rootKey, k, v); f != "" {\n' +
      '\t\t\t\t\t\t\tfilters = append(filters, f)\n\t\t\t\t\t\t\targs = append(args, a...)\n\t\t\t\t\t\t}\n\t\t\t\t\t}\n\n' +
      '\t\t\t\tdefault:\n\t\t\t\t\t// $gt and $lt\n',
  },
  {
    file: 'internal/backends/postgresql/query.go',
    find: 'func filterEqual(p *metadata.Placeholder, k any, v any, operator string) (filter string, args []any) {\n',
    replace:
      'func filterEqual(p *metadata.Placeholder, k any, v any, operator string) (filter string, args []any) {\n' +
      '\tif filter, args = primaryKeyEqual(p, k, v); filter != "" {\n\t\treturn filter, args\n\t}\n\n',
  },
  {
    file: 'internal/backends/postgresql/query.go',
    find: '\tif sort.Len() != 1 {\n\t\treturn "", nil\n\t}\n',
    replace: '\tif sort.Len() == 0 {\n\t\treturn "", nil\n\t}\n\n\tif !sort.Has("$natural") {\n\t\treturn orderByFields(sort), nil\n\t}\n',
  },
  {
    file: 'internal/backends/postgresql/collection.go',
    find: '\t\tOnlyRecordIDs: params.OnlyRecordIDs,\n\t})\n',
    replace: '\t\tOnlyRecordIDs: params.OnlyRecordIDs,\n\t})\n\n\tif params.OnlyCount {\n\t\tq = countClause(c.dbName, meta.TableName)\n\t}\n',
  },
];

// Leak tracking for FerretDB's tests, switched off (see _module's lifetimes.go).
const NO_LIFETIME_TRACKING: readonly SourceFix[] = [
  {
    file: 'internal/util/resource/resource.go',
    find: 'func Track(obj any, token *Token) {\n',
    replace: 'func Track(obj any, token *Token) {\n\tif !trackLifetimes {\n\t\treturn\n\t}\n\n',
  },
  {
    file: 'internal/util/resource/resource.go',
    find: 'func Untrack(obj any, token *Token) {\n',
    replace: 'func Untrack(obj any, token *Token) {\n\tif !trackLifetimes {\n\t\treturn\n\t}\n\n',
  },
];

// Converting stored documents from JSON took half of the engine's CPU with encoding/json, which
// FerretDB's sjson calls again for every nested level. goccy/go-json implements the same API
// (pinned in db/ferretdb/go.mod). Its Decoder, though, takes time quadratic in the length of one
// string token (a 4 MB string: a minute), so strings and binary data (a base64 string) are
// decoded with its Unmarshal (10 ms; it rejects trailing data, as checkConsumed did).
const FASTER_JSON: readonly SourceFix[] = [
  ...['array', 'binary', 'bool', 'datetime', 'document', 'double', 'int32', 'int64', 'object_id', 'regex', 'schema', 'sjson', 'string', 'timestamp'].map(
    (name) => ({
      file: `internal/handler/sjson/${name}.go`,
      find: '\t"encoding/json"\n',
      replace: '\tjson "github.com/goccy/go-json"\n',
    }),
  ),
  {
    file: 'internal/handler/sjson/string.go',
    find:
      '\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\n\tvar o string\n\tif err := dec.Decode(&o); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n\n' +
      '\tif err := checkConsumed(dec, r); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n',
    replace: '\tvar o string\n\tif err := json.Unmarshal(data, &o); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n',
  },
  {
    file: 'internal/handler/sjson/binary.go',
    find:
      '\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\tdec.DisallowUnknownFields()\n\n\tvar o []byte\n\n\terr := dec.Decode(&o)\n\tif err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n\n' +
      '\tif err = checkConsumed(dec, r); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n',
    replace: '\tvar o []byte\n\tif err := json.Unmarshal(data, &o); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n',
  },
];

const FERRETDB_FIXES: readonly SourceFix[] = [...CLOSE_EACH_UPDATE, ...SORT_LIMIT_COUNT_IN_SQL, ...NO_LIFETIME_TRACKING, ...FASTER_JSON];

/**
 * Copies the FerretDB module next to the binary, applies the fixes, and writes a go.mod that
 * replaces the module with the copy (Go refuses overlays of files in its module cache).
 */
function writePatchedModule(target: string): string {
  const moduleDir = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/FerretDB/FerretDB'], { cwd: SOURCE_DIR, encoding: 'utf8' }).trim();
  const copy = `${target}.src`;
  rmSync(copy, { recursive: true, force: true });
  cpSync(moduleDir, copy, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', copy]);
  for (const fix of FERRETDB_FIXES) {
    const file = join(copy, fix.file);
    const text = readFileSync(file, 'utf8');
    const expected = fix.occurrences ?? 1;
    if (text.split(fix.find).length !== expected + 1) {
      throw new Error(`Cannot patch FerretDB ${engineVersion()}: ${fix.file} no longer contains ${expected} × ${JSON.stringify(fix.find)}`);
    }
    writeFileSync(file, text.replaceAll(fix.find, fix.replace));
  }
  cpSync(MODULE_ADDITIONS, copy, { recursive: true });
  const goMod = `${target}.go.mod`;
  writeFileSync(goMod, `${readFileSync(join(SOURCE_DIR, 'go.mod'), 'utf8')}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`);
  cpSync(join(SOURCE_DIR, 'go.sum'), `${target}.go.sum`);
  return goMod;
}

function removeStaleBinaries(current: string): void {
  for (const name of readdirSync(engineDir())) {
    const path = join(engineDir(), name);
    if (name.startsWith('ferretdb-') && !path.startsWith(current)) rmSync(path, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    buildEngine();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
