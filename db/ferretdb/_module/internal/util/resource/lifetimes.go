// Added to FerretDB by the customs risk graph (db/build.ts).

package resource

// trackLifetimes turns off Track and Untrack: they record a stack trace into a pprof profile and
// set a finalizer for every document iterator, which took 15% of the engine's CPU while the
// platform learned from the graph. They find leaks in FerretDB's own tests, not in production.
const trackLifetimes = false
