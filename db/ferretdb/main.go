// Command ferretdb-embedded serves the MongoDB wire protocol on a loopback port with FerretDB's
// PostgreSQL backend, on a PostgreSQL it starts and stops itself.
//
// It wraps the embeddable package rather than FerretDB's own command, whose module release
// lacks the generated version file and panics at start (FerretDB issue 2982).
//
// Process tree: parent (Node) → this wrapper → postgres. The wrapper stops when its stdin closes
// (-exit-on-stdin-close), so a kill -9 of the parent ends FerretDB and then postgres; a kill -9
// of the wrapper ends postgres through Pdeathsig. Nothing outlives the parent.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

type settingsFlag []string

func (s *settingsFlag) String() string     { return strings.Join(*s, " ") }
func (s *settingsFlag) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	pgBin := flag.String("pg-bin", "", "directory holding the postgres binary")
	pgData := flag.String("pg-data", "", "PostgreSQL data directory, initialised by initdb")
	pgURL := flag.String("pg-url", "", "how FerretDB reaches that PostgreSQL (a Unix-socket URL)")
	pgUID := flag.Int("pg-uid", -1, "run postgres as this uid (postgres refuses to run as root)")
	pgGID := flag.Int("pg-gid", -1, "run postgres as this gid")
	var pgSettings settingsFlag
	flag.Var(&pgSettings, "pg-set", "a postgres setting name=value, passed as -c (repeatable)")
	watchStdin := flag.Bool("exit-on-stdin-close", false, "stop when standard input closes, so the engine never outlives its parent")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error; warn logs every unsupported command the driver probes")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatal(err)
	}
	logger := slog.New(quietDuplicates{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})

	// FerretDB allocates a tree of values for every document it converts; collecting at 4× the
	// live heap instead of 2× halves the time spent in GC, for tens of megabytes.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}

	// Once the parent is gone its ends of our stdout and stderr are closed: one log line would
	// then kill the wrapper with SIGPIPE halfway through stopping postgres.
	signal.Ignore(syscall.SIGPIPE)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	pg, err := startPostgres(*pgBin, *pgData, *pgUID, *pgGID, pgSettings)
	if err != nil {
		log.Fatal(err)
	}
	var stopping, pgDied atomic.Bool
	go func() {
		<-pg.exited
		if !stopping.Load() {
			pgDied.Store(true)
			logger.Error("postgres exited on its own", "state", pg.cmd.ProcessState.String())
			stop()
		}
	}()
	fail := func(err error) {
		stopping.Store(true)
		pg.stop()
		log.Fatal(err)
	}

	if err := waitForPostgres(ctx, *pgURL, 30*time.Second); err != nil {
		fail(err)
	}
	if err := installIndexMirroring(ctx, *pgURL); err != nil {
		fail(err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Logger:        logger,
		Handler:       "postgresql",
		PostgreSQLURL: *pgURL,
	})
	if err != nil {
		fail(err)
	}

	fmt.Fprintf(os.Stderr, "ferretdb listening on %s, postgres data in %s\n", *listen, *pgData)
	_ = f.Run(ctx) // returns once the listener, every client and the backend pool are closed

	stopping.Store(true)
	pg.stop()
	if pgDied.Load() {
		os.Exit(1)
	}
}
