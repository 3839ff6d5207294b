package interp

import (
	"strconv"
	"strings"
)

// Exit codes for statuses that are not numbers. A program that cannot be
// found or run gives 127 or 126; a death by signal n gives 128+n.
const (
	codeFalse         = 1
	codeUsage         = 2
	codeNotExecutable = 126
	codeNotFound      = 127
)

// Statuses set by the shell itself.
const (
	statusNoMatch       = "no match"
	statusFalse         = "false"
	statusUsage         = "usage"
	statusNotFound      = "not found"
	statusNotExecutable = "not executable"
)

// Truthy reports whether an rc status counts as true: it holds only 0s
// and |s (the empty status is true).
func Truthy(status string) bool {
	for i := 0; i < len(status); i++ {
		if c := status[i]; c != '0' && c != '|' {
			return false
		}
	}
	return true
}

// ExitCode turns a status into a process exit code: 0 for a true status,
// the number for a numeric one (modulo 256), 128+n for sigNAME, 127 for
// not found, 126 for not executable and 1 for any other string. A
// pipeline's status gives the code of its last false member.
func ExitCode(status string) int {
	if Truthy(status) {
		return 0
	}
	if i := strings.LastIndexByte(status, '|'); i >= 0 {
		for _, s := range reverse(strings.Split(status, "|")) {
			if !Truthy(s) {
				return ExitCode(s)
			}
		}
	}
	if n, err := strconv.Atoi(status); err == nil {
		return n & 0xff
	}
	switch status {
	case statusNotFound:
		return codeNotFound
	case statusNotExecutable:
		return codeNotExecutable
	case statusUsage:
		return codeUsage
	}
	if n := signalNumber(status); n > 0 {
		return 128 + n
	}
	return codeFalse
}

func reverse(s []string) []string {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

// signalNames lists the signals whose death shows as sigNAME, in signal
// number order from 1 (Linux numbering).
var signalNames = [...]string{
	"sighup", "sigint", "sigquit", "sigill", "sigtrap", "sigabrt", "sigbus",
	"sigfpe", "sigkill", "sigusr1", "sigsegv", "sigusr2", "sigpipe",
	"sigalrm", "sigterm", "sigstkflt", "sigchld", "sigcont", "sigstop",
	"sigtstp", "sigttin", "sigttou", "sigurg", "sigxcpu", "sigxfsz",
	"sigvtalrm", "sigprof", "sigwinch", "sigio", "sigpwr", "sigsys",
}

// signalDescriptions say what each signal of signalNames means, as rc
// reports a death by it.
var signalDescriptions = [...]string{
	"hangup", "interrupt", "quit", "illegal instruction", "trace trap",
	"abort", "bus error", "floating point exception", "killed",
	"user defined signal 1", "segmentation violation",
	"user defined signal 2", "broken pipe", "alarm clock", "terminated",
	"stack fault", "child stop or exit", "continue", "stopped",
	"stopped (terminal)", "background read from tty",
	"background write to tty", "urgent condition on socket",
	"cpu limit exceeded", "file size limit exceeded",
	"virtual alarm clock", "profiling alarm clock", "window size change",
	"i/o possible", "power failure", "bad system call",
}

// signalDescription says what signal n means: "segmentation violation",
// or "signal n" for a number without a description.
func signalDescription(n int) string {
	if n >= 1 && n <= len(signalDescriptions) {
		return signalDescriptions[n-1]
	}
	return "signal " + strconv.Itoa(n)
}

// SignalStatus is the status of a program killed by signal n: sigint,
// sigkill and so on, or sigN for a number with no name.
func SignalStatus(n int) string {
	if n >= 1 && n <= len(signalNames) {
		return signalNames[n-1]
	}
	return "sig" + strconv.Itoa(n)
}

func signalNumber(status string) int {
	for i, s := range signalNames {
		if s == status {
			return i + 1
		}
	}
	if rest, ok := strings.CutPrefix(status, "sig"); ok {
		if n, err := strconv.Atoi(rest); err == nil && n > 0 && n < 128 {
			return n
		}
	}
	return 0
}

// exitStatus is the status of a program that exited with code n.
func exitStatus(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
