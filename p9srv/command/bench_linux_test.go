package command

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
)

// BenchmarkAgainstDiod serves one directory with p9srv and with diod and
// measures both with diod's own clients, in the same run: diodcat of a
// 256 MiB file, and diodload's stream of getattrs. It reports each
// figure and the ratio p9srv/diod (above 1: p9srv is faster).
//
//	go test -run '^$' -bench AgainstDiod -benchtime 1x ./p9srv/command
func BenchmarkAgainstDiod(b *testing.B) {
	diod := testenv.NeedProgram(b, "diod", "diod")
	diodcat := testenv.NeedProgram(b, "diodcat", "diod")
	diodload := testenv.NeedProgram(b, "diodload", "diod")
	// Measure the servers, not the disk: work in /dev/shm if there is one.
	base, err := os.MkdirTemp("/dev/shm", "p9srv-bench")
	if err != nil {
		base = b.TempDir()
		must(b, os.Chmod(filepath.Dir(base), 0755))
	} else {
		b.Cleanup(func() { os.RemoveAll(base) })
	}
	// diod -S serves as nobody, who must reach the files.
	must(b, os.Chmod(base, 0755))
	dir := filepath.Join(base, "export")
	// diodload works on the files of diod's ctl file system, which it
	// attaches to by that name; give p9srv's export the same names.
	must(b, os.MkdirAll(filepath.Join(dir, "ctl"), 0755))
	must(b, os.WriteFile(filepath.Join(dir, "ctl", "null"), nil, 0644))
	must(b, os.WriteFile(filepath.Join(dir, "ctl", "zero"), make([]byte, 1<<20), 0644))
	big, err := os.Create(filepath.Join(dir, "big"))
	must(b, err)
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	for i := 0; i < 256; i++ {
		big.Write(chunk)
	}
	big.Close()

	// p9srv runs in a process of its own, as diod does: this test binary
	// is the command when P9SRV_TEST_ARGS is set.
	p9sock := filepath.Join(base, "p9srv.sock")
	p := exec.Command("/proc/self/exe")
	p.Env = append(os.Environ(), "P9SRV_TEST_ARGS=-l\nunix!"+p9sock+"\nexport\n"+dir)
	must(b, p.Start())
	b.Cleanup(func() { p.Process.Signal(os.Interrupt); p.Wait() })
	diodsock := filepath.Join(base, "diod.sock")
	d := exec.Command(diod, "-f", "-n", "-S", "-e", "ctl", "-e", dir, "-l", diodsock)
	must(b, d.Start())
	b.Cleanup(func() { d.Process.Kill(); d.Wait() })
	for _, s := range []string{p9sock, diodsock} {
		waitSocket(b, s)
	}

	readSecs := func(sock, aname string) float64 {
		best := 0.0
		for i := 0; i < 3; i++ {
			start := time.Now()
			c := exec.Command(diodcat, "-m", "65536", "-s", sock, "-a", aname, "big")
			c.Stdout = io.Discard
			var stderr testenv.SyncBuffer
			c.Stderr = &stderr
			if err := c.Run(); err != nil {
				b.Fatalf("diodcat on %s: %v: %s", sock, err, stderr.String())
			}
			if el := time.Since(start).Seconds(); best == 0 || el < best {
				best = el
			}
		}
		return best
	}
	opsRe := regexp.MustCompile(`(\d+) ops/s`)
	getattrs := func(sock string, threads int) float64 {
		out, err := exec.Command(diodload, "-s", sock, "-g", "-n", strconv.Itoa(threads), "-r", "2").CombinedOutput()
		m := opsRe.FindSubmatch(out)
		if err != nil || m == nil {
			b.Fatalf("diodload on %s: %v: %s", sock, err, out)
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p9read, diodread := 256/readSecs(p9sock, "/"), 256/readSecs(diodsock, dir)
		p9ga1, diodga1 := getattrs(p9sock, 1), getattrs(diodsock, 1)
		p9ga4, diodga4 := getattrs(p9sock, 4), getattrs(diodsock, 4)
		b.ReportMetric(p9read, "p9srv-read-MiB/s")
		b.ReportMetric(diodread, "diod-read-MiB/s")
		b.ReportMetric(p9read/diodread, "read-ratio")
		b.ReportMetric(p9ga1/diodga1, "getattr1-ratio")
		b.ReportMetric(p9ga4/diodga4, "getattr4-ratio")
		b.Logf("diodcat 256 MiB: p9srv %.0f MiB/s, diod %.0f MiB/s (ratio %.2f)", p9read, diodread, p9read/diodread)
		b.Logf("diodload getattr, 1 thread: p9srv %.0f/s, diod %.0f/s (ratio %.2f)", p9ga1, diodga1, p9ga1/diodga1)
		b.Logf("diodload getattr, 4 threads: p9srv %.0f/s, diod %.0f/s (ratio %.2f)", p9ga4, diodga4, p9ga4/diodga4)
	}
}

func waitSocket(tb testing.TB, sock string) {
	tb.Helper()
	for i := 0; ; i++ {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return
		}
		if i > 500 {
			tb.Fatalf("nothing answers at %s", sock)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
