// Command ferretdb-embedded runs FerretDB with its SQLite backend on a loopback port.
//
// It wraps the embeddable package rather than FerretDB's own command, whose module
// release lacks the generated version file and panics at start (FerretDB issue 2982).
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
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", ".data", "directory for the SQLite databases")
	watchStdin := flag.Bool("exit-on-stdin-close", false, "stop when standard input closes, so the engine never outlives its parent")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error; warn logs every unsupported command the driver probes")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatal(err)
	}

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	go indexIDs(ctx, dir, logger)

	fmt.Fprintf(os.Stderr, "ferretdb listening on %s, data in %s\n", *listen, dir)
	f.Run(ctx)
}
