package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

type postgres struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

func startPostgres(bin, data string, uid, gid int, settings []string) (*postgres, error) {
	if bin == "" || data == "" {
		return nil, errors.New("-pg-bin and -pg-data are required")
	}
	args := []string{"-D", data}
	for _, s := range settings {
		args = append(args, "-c", s)
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// If the wrapper is killed, the kernel asks postgres for a fast shutdown. Pdeathsig follows
		// the thread that forked, so fork from a thread that stays locked for the whole run.
		Pdeathsig: syscall.SIGINT,
		// A Ctrl-C in a terminal reaches the wrapper only, which stops FerretDB before postgres.
		Setpgid: true,
	}
	if uid >= 0 {
		if gid < 0 {
			gid = uid
		}
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	}
	runtime.LockOSThread() // never unlocked: see Pdeathsig
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	p := &postgres{cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// stop asks for a fast shutdown (roll back, checkpoint, exit), then an immediate one.
func (p *postgres) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
		return
	case <-time.After(20 * time.Second):
	}
	_ = p.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

// waitForPostgres polls until postgres accepts a session: FerretDB's New fails on a backend
// that is not there yet.
func waitForPostgres(ctx context.Context, pgURL string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		conn, err := connect(ctx, pgURL)
		if err == nil {
			_ = conn.Close(context.Background())
			return nil
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("postgres did not accept connections within %s: %w", timeout, last)
}

func connect(ctx context.Context, pgURL string) (*pgx.Conn, error) {
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return pgx.Connect(c, withoutPoolParams(pgURL))
}

// withoutPoolParams drops pgxpool's own URL parameters (pool_max_conns, ...): a plain connection
// would send them to the server as settings, which postgres refuses.
func withoutPoolParams(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
