package main

import (
	"context"
	_ "embed"
	"fmt"
)

//go:embed indexes.sql
var indexMirroring string

// installIndexMirroring makes every index FerretDB creates usable by its pushed-down filters
// (see indexes.sql). It runs before FerretDB starts, so no index is created without it.
func installIndexMirroring(ctx context.Context, pgURL string) error {
	conn, err := connect(ctx, pgURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, indexMirroring); err != nil {
		return fmt.Errorf("install index mirroring: %w", err)
	}
	return nil
}
