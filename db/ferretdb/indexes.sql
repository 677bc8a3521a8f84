-- FerretDB pushes an equality filter down as `_jsonb -> 'field' @> value`, but it creates every
-- index as a btree on `(_jsonb -> 'field')`, which that operator can never use: each lookup, even
-- by _id, scans the table. Here each btree FerretDB creates gets a GIN (jsonb_path_ops) twin on
-- the same expressions (but _id), in the same transaction, so a declared index is usable the moment
-- createIndexes returns. FerretDB does not know the twins: listIndexes never shows them, and
-- dropping the collection drops its table and them with it.

CREATE SCHEMA IF NOT EXISTS embedded_engine;

CREATE OR REPLACE FUNCTION embedded_engine.add_gin_twin(btree regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  tbl regclass;
  columns int;
  field text;
BEGIN
  SELECT indrelid, indnatts INTO tbl, columns FROM pg_index WHERE indexrelid = btree;
  FOR k IN 1..columns LOOP
    -- Only top-level fields: FerretDB never pushes a dotted path down. Not _id: the engine matches
    -- it with `=`, which its unique btree answers (db/build.ts).
    field := substring(pg_get_indexdef(btree, k, false) FROM '^\(+_jsonb -> ''((?:[^'']|'''')+)''::text\)+$');
    CONTINUE WHEN field IS NULL OR field = '_id';
    field := replace(field, '''''', '''');
    EXECUTE format(
      'CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L) jsonb_path_ops)',
      left((SELECT relname FROM pg_class WHERE oid = tbl), 40) || '_gin_' || left(md5(tbl::text || '.' || field), 10),
      tbl,
      field
    );
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION embedded_engine.on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  created record;
BEGIN
  FOR created IN
    SELECT c.oid FROM pg_event_trigger_ddl_commands() d
    JOIN pg_class c ON c.oid = d.objid
    JOIN pg_am am ON am.oid = c.relam
    WHERE d.command_tag = 'CREATE INDEX' AND am.amname = 'btree'
  LOOP
    PERFORM embedded_engine.add_gin_twin(created.oid);
  END LOOP;
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'embedded_engine_gin_twins') THEN
    CREATE EVENT TRIGGER embedded_engine_gin_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
      EXECUTE FUNCTION embedded_engine.on_create_index();
  END IF;
END $$;

-- Indexes created before this file changed (or before it existed) get their twins too.
SELECT embedded_engine.add_gin_twin(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE am.amname = 'btree' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'embedded_engine');
