// Added to FerretDB by the customs risk graph (db/build.ts): sort, limit and count in PostgreSQL
// when that gives the same answer as FerretDB's own evaluation in Go.

package handler

import (
	"context"
	"errors"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// backendSorts reports whether PostgreSQL orders the rows (see orderByFields in the backend):
// every key a top-level field. Go then does not sort again, so a limit stops reading early.
func backendSorts(disablePushdown bool, sort *types.Document) bool {
	if disablePushdown || sort.Len() == 0 {
		return false
	}

	for _, key := range sort.Keys() {
		if key == "" || strings.HasPrefix(key, "$") || strings.ContainsRune(key, '.') {
			return false
		}
	}

	return true
}

// filterPushedDownExactly reports whether the backend's WHERE clause selects exactly the documents
// the filter matches, so that PostgreSQL may apply a limit or count. That holds for top-level
// equalities ($eq, $in) to strings or booleans: `field @> value` matches the value itself and
// arrays that hold it, as MongoDB does. A 24-digit hex string is left out, as ObjectIDs are
// stored as such strings; numbers and dates are left out, as dates are stored as numbers. It
// holds as well for ranges of strings ($gt, $gte, $lt, $lte), which check the stored type.
func filterPushedDownExactly(filter *types.Document) bool {
	for _, key := range filter.Keys() {
		if key == "" || strings.HasPrefix(key, "$") || strings.ContainsRune(key, '.') {
			return false
		}

		value := must.NotFail(filter.Get(key))

		operators, ok := value.(*types.Document)
		if !ok {
			if !exactlyComparable(value) {
				return false
			}

			continue
		}

		if operators.Len() == 0 {
			return false
		}

		for _, operator := range operators.Keys() {
			if !operatorPushedDownExactly(operator, must.NotFail(operators.Get(operator))) {
				return false
			}
		}
	}

	return true
}

func operatorPushedDownExactly(operator string, operand any) bool {
	switch operator {
	case "$eq":
		return exactlyComparable(operand)
	case "$in":
		values, ok := operand.(*types.Array)
		if !ok {
			return false
		}

		for i := 0; i < values.Len(); i++ {
			if !exactlyComparable(must.NotFail(values.Get(i))) {
				return false
			}
		}

		return true
	case "$gt", "$gte", "$lt", "$lte":
		_, ok := operand.(string)
		return ok
	default:
		return false
	}
}

func exactlyComparable(value any) bool {
	switch value := value.(type) {
	case bool:
		return true
	case string:
		return !looksLikeObjectID(value)
	default:
		return false
	}
}

func looksLikeObjectID(s string) bool {
	if len(s) != 24 {
		return false
	}

	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}

	return true
}

// pushOrderAndLimit lets the backend sort, and limit where the filter is pushed down exactly.
func pushOrderAndLimit(disablePushdown bool, filter, sort *types.Document, skip, limit int64, sortParam **types.Document, limitParam *int64) {
	if disablePushdown || skip != 0 {
		return
	}

	backendSorted := backendSorts(disablePushdown, sort)
	if backendSorted {
		*sortParam = sort
	}

	if (sort.Len() == 0 || backendSorted) && filterPushedDownExactly(filter) {
		*limitParam = limit
	}
}

// countInBackend answers a count with SQL count(*) when the filter is pushed down exactly;
// counted is false when it is not, and the handler counts in Go as before.
func countInBackend(ctx context.Context, c backends.Collection, disablePushdown bool, filter *types.Document, skip, limit int64) (n int32, counted bool, err error) { //nolint:lll // for readability
	if disablePushdown || skip != 0 || limit != 0 || !filterPushedDownExactly(filter) {
		return 0, false, nil
	}

	res, err := c.Query(ctx, &backends.QueryParams{Filter: filter, OnlyCount: true})
	if err != nil {
		return 0, true, lazyerrors.Error(err)
	}
	defer res.Iter.Close()

	_, doc, err := res.Iter.Next()
	if errors.Is(err, iterator.ErrIteratorDone) {
		// no such collection
		return 0, true, nil
	}

	if err != nil {
		return 0, true, lazyerrors.Error(err)
	}

	count, _ := doc.Get("n")
	total, _ := count.(int64)

	return int32(total), true, nil
}
