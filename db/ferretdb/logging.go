package main

import (
	"context"
	"log/slog"
	"strings"
)

// quietDuplicates drops FerretDB's log records of failures the platform causes on purpose and
// handles, so logging them would only be noise:
//   - unique-key violations, answered to the client as duplicate-key errors (E11000): inserts of
//     documents that may exist already, claims of a number;
//   - queries cancelled because their client closed the connection: a subgraph drops a read
//     whose request passed its deadline or whose caller went away.
type quietDuplicates struct{ slog.Handler }

func (h quietDuplicates) Handle(ctx context.Context, r slog.Record) error {
	expected := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" && (strings.Contains(a.Value.String(), "(SQLSTATE 23505)") || a.Value.String() == "context canceled") {
			expected = true
			return false
		}
		return true
	})
	if expected {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h quietDuplicates) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietDuplicates{h.Handler.WithAttrs(attrs)}
}

func (h quietDuplicates) WithGroup(name string) slog.Handler {
	return quietDuplicates{h.Handler.WithGroup(name)}
}
