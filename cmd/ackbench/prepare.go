package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// buildTimeout bounds `go build` and `npm ci`.
const buildTimeout = 5 * time.Minute

// repoRoot finds the module root (the directory with caseconf's go.mod) from
// the working directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(mod, []byte("module github.com/caseconf/caseconf\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the caseconf repository (no go.mod for github.com/caseconf/caseconf above the working directory)")
		}
		dir = parent
	}
}

// runTool runs a build tool, returning its output in the error if it fails.
func runTool(ctx context.Context, dir string, argv ...string) error {
	return runToolEnv(ctx, dir, nil, argv...)
}

// runToolEnv is runTool with env added to the bench's environment.
func runToolEnv(ctx context.Context, dir string, env []string, argv ...string) error {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// buildCaseconf builds ./cmd/caseconf into dir, as scripts/release and the
// container image build it (static, no cgo, trimmed, stripped), and returns
// the binary's path.
func buildCaseconf(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "caseconf")
	if err := runToolEnv(ctx, root, []string{"CGO_ENABLED=0"},
		"go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/caseconf"); err != nil {
		return "", err
	}
	return bin, nil
}

// peerInstalled reports whether dir holds the peer with its dependencies.
func peerInstalled(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "node_modules", "@slack", "bolt", "package.json"))
	return err == nil
}

// installStamp, in the work directory, holds the package-lock.json that the
// last successful `npm ci` there installed.
const installStamp = ".ackbench-installed-lock"

// preparePeer returns a directory from which `node app.js` runs the peer.
// If src already has its node_modules it is used as it is. Otherwise src's
// files are copied into work (src may be read-only, and is shared with other
// checkouts) and `npm ci` installs the dependencies there; that install is
// reused while package-lock.json is unchanged.
func preparePeer(ctx context.Context, src, work string) (dir string, installed bool, err error) {
	if _, err := os.Stat(filepath.Join(src, "app.js")); err != nil {
		return "", false, fmt.Errorf("no peer at %s: %w", src, err)
	}
	if peerInstalled(src) {
		return src, false, nil
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return "", false, err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return "", false, err
	}
	var lock []byte
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue // node_modules, .git
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return "", false, err
		}
		if e.Name() == "package-lock.json" {
			lock = data
		}
		if err := os.WriteFile(filepath.Join(work, e.Name()), data, 0o644); err != nil {
			return "", false, err
		}
	}
	stamp := filepath.Join(work, installStamp)
	if old, err := os.ReadFile(stamp); err == nil && bytes.Equal(old, lock) && peerInstalled(work) {
		return work, false, nil
	}
	if err := os.Remove(stamp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	if err := runTool(ctx, work, "npm", "ci", "--no-audit", "--no-fund"); err != nil {
		return "", false, fmt.Errorf("install the peer in %s: %w", work, err)
	}
	if err := os.WriteFile(stamp, lock, 0o644); err != nil {
		return "", false, err
	}
	return work, true, nil
}

// toolVersion returns the first line of `argv` output, or "unknown".
func toolVersion(ctx context.Context, argv ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// cpuModel returns the "model name" of /proc/cpuinfo, or "unknown".
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, found := strings.Cut(line, ":"); found && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
