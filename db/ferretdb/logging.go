package main

import (
	"context"
	"log/slog"
	"strings"
)

// quietDuplicates drops FerretDB's log records of unique-key violations: they are answered to the
// client as duplicate-key errors (E11000), which the platform expects and handles (inserts of
// documents that may exist already, claims of a number), so logging them would only be noise.
type quietDuplicates struct{ slog.Handler }

func (h quietDuplicates) Handle(ctx context.Context, r slog.Record) error {
	duplicate := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" && strings.Contains(a.Value.String(), "(SQLSTATE 23505)") {
			duplicate = true
			return false
		}
		return true
	})
	if duplicate {
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
