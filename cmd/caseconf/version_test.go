package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribeBuild(t *testing.T) {
	t.Parallel()
	bi := func(mainVersion string, settings ...string) *debug.BuildInfo {
		b := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/caseconf/caseconf", Version: mainVersion}}
		for i := 0; i+1 < len(settings); i += 2 {
			b.Settings = append(b.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return b
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name, ld, ldRev string
		bi              *debug.BuildInfo
		want            string
	}{
		{"Release", "v1.2.0", "", bi("v1.2.0", "vcs.revision", rev, "vcs.modified", "false"), "v1.2.0 (revision 0123456789ab, go1.26.8)"},
		{"TaggedModule", "", "", bi("v1.2.0", "vcs.revision", rev), "v1.2.0 (revision 0123456789ab, go1.26.8)"},
		{"PseudoVersionModified", "", "", bi("v0.0.0-20261207040800-0123456789ab+dirty", "vcs.revision", rev, "vcs.modified", "true"),
			"v0.0.0-20261207040800-0123456789ab+dirty (revision 0123456789ab, modified, go1.26.8)"},
		{"NoVCS", "", "", bi("(devel)"), "dev (go1.26.8)"},
		{"NoBuildInfo", "", "", nil, "dev"},
		{"LdflagsWins", "v2.0.0-rc1", "", bi("v0.0.0-20261207040800-0123456789ab"), "v2.0.0-rc1 (go1.26.8)"},
		{"LdflagsRevisionWhenGoCouldNotStamp", "v2.0.0", rev, bi("(devel)"), "v2.0.0 (revision 0123456789ab, go1.26.8)"},
		{"StampedRevisionWins", "", "fedcba9876543210", bi("v1.0.0", "vcs.revision", rev), "v1.0.0 (revision 0123456789ab, go1.26.8)"},
	}
	for _, tt := range tests {
		if got := describeBuild(tt.ld, tt.ldRev, tt.bi); got != tt.want {
			t.Errorf("%s: describeBuild = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// The binary a user builds from a fresh clone says which module version
// and which commit it is, from the build info alone.
func TestVersionOfBuiltBinary(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go command is needed to build caseconf:", err)
	}
	// A fresh repository holding this checkout's files, committed: the
	// go command stamps no revision in a git worktree (.git a file), and
	// the files under test may not be committed yet.
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatal("git rev-parse --show-toplevel:", err)
	}
	src := strings.TrimSpace(string(top))
	files, err := exec.Command("git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatal("git ls-files:", err)
	}
	clone := t.TempDir()
	for _, f := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(src, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted, not yet committed
		} else if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(clone, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", clone, "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "snapshot")
	head := git("rev-parse", "HEAD")
	bin := filepath.Join(t.TempDir(), "caseconf")
	// -buildvcs=true is go build's default in a clone, unless GOFLAGS
	// turns it off, as it may on a CI machine.
	build := exec.Command(gobin, "build", "-trimpath", "-buildvcs=true", "-o", bin, "./cmd/caseconf")
	build.Dir = clone
	build.Env = append(build.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("caseconf version: %v", err)
	}
	got := strings.TrimSpace(string(out))
	if !strings.HasPrefix(got, "caseconf v") {
		t.Errorf("caseconf version = %q, want the module version (v…) first", got)
	}
	if want := "revision " + head[:12] + ","; !strings.Contains(got, want) {
		t.Errorf("caseconf version = %q, want it to contain %q (and not modified)", got, want)
	}
}
