package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// FerretDB v1.24 answers `{_id: value}` with `WHERE _ferretdb_sjson->'$._id' = ?`, but it
// creates the _id index on `_ferretdb_sqlite_json->"_id"`. SQLite matches index expressions
// by their text, so the index is never used and every lookup by key scans the table.
// indexIDs adds an index on the expression the queries use, to every collection table,
// as collections appear. Dropping a collection drops its table and this index with it.
func indexIDs(ctx context.Context, dir string, logger *slog.Logger) {
	done := map[string]bool{}
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()

	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			if err := indexFile(ctx, file, done); err != nil {
				logger.Error("indexing _id paths failed", "file", file, "error", err)
			}
		}

		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// Tables of the collections writeJournal_<32 hex digits>, which FerretDB lower-cases and suffixes.
var temporaryTable = regexp.MustCompile(`^writejournal_[0-9a-f]{32}_`)

func indexFile(ctx context.Context, file string, done map[string]bool) error {
	if _, err := os.Stat(file); err != nil {
		return nil
	}

	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()

	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\_%' ESCAPE '\'`)
	if err != nil {
		return err
	}

	var tables []string
	for rows.Next() {
		var name string
		if err = rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()

	for _, table := range tables {
		key := file + "\x00" + table
		// One collection per journalled batch (subgraphs/kit/journal.ts) lives for a moment and is
		// dropped; indexing it would only hold up the writes it belongs to.
		if done[key] || temporaryTable.MatchString(table) {
			continue
		}

		index := strings.ReplaceAll(table+"_id_path", `"`, ``)
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, index, table)
		if _, err = db.ExecContext(ctx, q); err != nil {
			return err
		}
		done[key] = true
	}

	return nil
}
